-- The admin user is a shared credential; only an explicit false shows it is off.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.adminUserEnabled') as val
  from resources
  where type = 'microsoft.containerregistry/registries'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'false' then 'pass'
    when val = 'true' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'false' then 'the admin user is disabled'
    when val = 'true' then 'the shared admin user is enabled'
    when val is null then 'adminUserEnabled is absent'
    else format('unrecognised adminUserEnabled value {}', properties->>'$.adminUserEnabled')
  end as reason,
  json_object(
    'adminUserEnabled', properties->'$.adminUserEnabled'
  ) as evidence
from v
