-- days = 0 with retention enabled means keep forever; anything else must reach min_days.
with f as (
  select id, tenant_id,
         properties->'$.retentionPolicy' as rp,
         properties->>'$.retentionPolicy.enabled' as enabled,
         try_cast(properties->>'$.retentionPolicy.days' as integer) as days
  from resources
  where type = 'microsoft.network/networkwatchers/flowlogs'
)
select
  id as resource_id,
  tenant_id,
  case
    when rp is null or json_type(rp) <> 'OBJECT' then 'error'
    when enabled = 'false' then 'fail'
    when enabled is distinct from 'true' then 'error'
    when days is null then 'error'
    when days = 0 or days >= getvariable('min_days') then 'pass'
    else 'fail'
  end as status,
  case
    when rp is null or json_type(rp) <> 'OBJECT' then 'retentionPolicy is absent'
    when enabled = 'false' then 'retention policy is disabled'
    when enabled is distinct from 'true' then 'retentionPolicy.enabled is absent'
    when days is null then 'retentionPolicy.days is absent'
    when days = 0 then 'flow logs are kept forever (retention days 0)'
    when days >= getvariable('min_days') then 'flow logs are kept ' || days || ' days'
    else 'flow logs are kept ' || days || ' days, fewer than ' || getvariable('min_days')
  end as reason,
  json_object('enabled', enabled, 'days', days, 'minDays', getvariable('min_days')) as evidence
from f
union all
-- a watcher whose flow logs were not listed may hold a flow log kept too short
select id, tenant_id, 'error', 'flow logs of this network watcher were not collected',
       json_object('networkWatcher', id, 'collected', false)
from resources
where type = 'microsoft.network/networkwatchers' and not children_collected(id, 'microsoft.network/networkwatchers/flowlogs')
