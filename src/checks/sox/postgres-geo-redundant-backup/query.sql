-- Geo-redundancy is fixed at creation; only Enabled survives the loss of the region.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.backup.geoRedundantBackup') as val
  from resources
  where type = 'microsoft.dbforpostgresql/flexibleservers'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'enabled' then 'pass'
    when val = 'disabled' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'enabled' then 'backups are geo-redundant'
    when val = 'disabled' then 'backups are not geo-redundant'
    when val is null then 'backup.geoRedundantBackup is absent'
    else format('unrecognised backup.geoRedundantBackup value {}', properties->>'$.backup.geoRedundantBackup')
  end as reason,
  json_object(
    'backup.geoRedundantBackup', properties->'$.backup.geoRedundantBackup'
  ) as evidence
from v
