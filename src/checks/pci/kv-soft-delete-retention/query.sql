-- Soft delete must keep deleted objects at least min_days. enableSoftDelete is only ever false on legacy
-- vaults (ARM defaults it to true and it cannot be reverted), so only an explicit false fails on it.
with v as (
  select
    id,
    tenant_id,
    lower(properties->>'$.enableSoftDelete') as soft_delete,
    unknown_at(unknown_paths, 'properties.enableSoftDelete') as soft_delete_unknown,
    try_cast(properties->>'$.softDeleteRetentionInDays' as integer) as retention_days,
    properties
  from resources
  where type = 'microsoft.keyvault/vaults'
)
select
  id as resource_id,
  tenant_id,
  case
    when soft_delete = 'false' then 'fail'
    when retention_days is null or (soft_delete is null and soft_delete_unknown) then 'error'
    when retention_days < getvariable('min_days') then 'fail'
    else 'pass'
  end as status,
  case
    when soft_delete = 'false' then 'soft delete is disabled'
    when retention_days is null then 'softDeleteRetentionInDays is absent'
    when soft_delete is null and soft_delete_unknown then 'enableSoftDelete is known only after apply'
    when retention_days < getvariable('min_days')
      then format('soft delete retention is {} days, below the {}-day minimum', retention_days, getvariable('min_days'))
    else format('soft delete retention is {} days (minimum {})', retention_days, getvariable('min_days'))
  end as reason,
  json_object(
    'enableSoftDelete', properties->'$.enableSoftDelete',
    'softDeleteRetentionInDays', properties->'$.softDeleteRetentionInDays',
    'min_days', getvariable('min_days')
  ) as evidence
from v
