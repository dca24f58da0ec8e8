-- Unauthenticated pull must be off; older API versions do not report it, so absence proves nothing.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.anonymousPullEnabled') as val
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
    when val = 'false' then 'anonymous pull is disabled'
    when val = 'true' then 'anyone can pull images without credentials (anonymousPullEnabled is true)'
    when val is null then 'anonymousPullEnabled is absent'
    else format('unrecognised anonymousPullEnabled value {}', properties->>'$.anonymousPullEnabled')
  end as reason,
  json_object(
    'anonymousPullEnabled', properties->'$.anonymousPullEnabled'
  ) as evidence
from v
