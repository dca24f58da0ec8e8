-- Null means allowed: Azure accepts shared key requests unless allowSharedKeyAccess is explicitly false.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.allowSharedKeyAccess') as val,
         unknown_at(unknown_paths, 'properties.allowSharedKeyAccess') as val_unknown
  from resources
  where type = 'microsoft.storage/storageaccounts'
)
select
  id as resource_id,
  tenant_id,
  case
    when properties is null then 'error'
    when val = 'false' then 'pass'
    when val = 'true' then 'fail'
    when val is null and not val_unknown then 'fail'
    else 'error'
  end as status,
  case
    when properties is null then 'properties are absent'
    when val = 'false' then 'shared key authorisation is disabled'
    when val = 'true' then 'shared key authorisation is allowed'
    when val is null and not val_unknown then 'allowSharedKeyAccess absent: Azure treats null as allowed'
    when val is null then 'allowSharedKeyAccess is known only after apply'
    else format('unrecognised allowSharedKeyAccess value {}', properties->>'$.allowSharedKeyAccess')
  end as reason,
  json_object(
    'allowSharedKeyAccess', properties->'$.allowSharedKeyAccess'
  ) as evidence
from v
