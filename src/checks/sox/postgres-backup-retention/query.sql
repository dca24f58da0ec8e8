-- Restore can only reach back as far as the retention window.
with v as (
  select id, tenant_id, properties, try_cast(properties->>'$.backup.backupRetentionDays' as integer) as days
  from resources
  where type = 'microsoft.dbforpostgresql/flexibleservers'
)
select
  id as resource_id,
  tenant_id,
  case
    when days is null then 'error'
    when days < getvariable('min_days') then 'fail'
    else 'pass'
  end as status,
  case
    when days is null and (properties->>'$.backup.backupRetentionDays') is not null
      then format('unrecognised backup.backupRetentionDays value {}', properties->>'$.backup.backupRetentionDays')
    when days is null then 'backup.backupRetentionDays is absent'
    when days < getvariable('min_days')
      then format('backups are kept {} days, below the {}-day minimum', days, getvariable('min_days'))
    else format('backups are kept {} days (minimum {})', days, getvariable('min_days'))
  end as reason,
  json_object('backup.backupRetentionDays', properties->'$.backup.backupRetentionDays', 'min_days', getvariable('min_days')) as evidence
from v
