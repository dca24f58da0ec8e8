-- Restore can only reach back as far as the retention window. Azure documents 7 days as the default retention, so
-- an absent value fails when 7 days is below min_days (unless it is known only after apply); absence never passes.
with v as (
  select id, tenant_id, properties, try_cast(properties->>'$.backup.backupRetentionDays' as integer) as days,
         properties->>'$.backup.backupRetentionDays' is null and json_type(properties) = 'OBJECT'
           and 7 < getvariable('min_days')
           and not unknown_at(unknown_paths, 'properties.backup.backupRetentionDays') as default_fails
  from resources
  where type = 'microsoft.dbforpostgresql/flexibleservers'
)
select
  id as resource_id,
  tenant_id,
  case
    when default_fails then 'fail'
    when days is null then 'error'
    when days < getvariable('min_days') then 'fail'
    else 'pass'
  end as status,
  case
    when default_fails then format('backup.backupRetentionDays is absent: backups are kept 7 days by default, below the {}-day minimum',
                                   getvariable('min_days'))
    when days is null and (properties->>'$.backup.backupRetentionDays') is not null
      then format('unrecognised backup.backupRetentionDays value {}', properties->>'$.backup.backupRetentionDays')
    when days is null then 'backup.backupRetentionDays is absent'
    when days < getvariable('min_days')
      then format('backups are kept {} days, below the {}-day minimum', days, getvariable('min_days'))
    else format('backups are kept {} days (minimum {})', days, getvariable('min_days'))
  end as reason,
  json_object('backup.backupRetentionDays', properties->'$.backup.backupRetentionDays', 'min_days', getvariable('min_days')) as evidence
from v
