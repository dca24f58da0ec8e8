-- Anonymous access must be impossible at account level, whatever each container says.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.allowBlobPublicAccess') as val
  from resources
  where type = 'microsoft.storage/storageaccounts'
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
    when val = 'false' then 'anonymous blob access is disallowed for the account'
    when val = 'true' then 'containers may be opened to anonymous public read (allowBlobPublicAccess is true)'
    when val is null then 'allowBlobPublicAccess is absent'
    else format('unrecognised allowBlobPublicAccess value {}', properties->>'$.allowBlobPublicAccess')
  end as reason,
  json_object(
    'allowBlobPublicAccess', properties->'$.allowBlobPublicAccess'
  ) as evidence
from v
