-- Workspace-level retention must reach min_days; absent is missing evidence.
with w as (
  select id, tenant_id, try_cast(properties->>'$.retentionInDays' as integer) as days
  from resources
  where type = 'microsoft.operationalinsights/workspaces'
)
select
  id as resource_id,
  tenant_id,
  case
    when days is null then 'error'
    when days >= getvariable('min_days') then 'pass'
    else 'fail'
  end as status,
  case
    when days is null then 'retentionInDays is absent'
    when days >= getvariable('min_days') then 'data is retained ' || days || ' days'
    else 'data is retained ' || days || ' days, fewer than ' || getvariable('min_days')
  end as reason,
  json_object('retentionInDays', days, 'minDays', getvariable('min_days')) as evidence
from w
