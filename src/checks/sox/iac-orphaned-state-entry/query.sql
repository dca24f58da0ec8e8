-- State instances with a top-level ARM id, and whether the live collection found the resource.
with entries as (
  select resource_id, tenant_id, min(workspace_key) as workspace_key, min(address) as address, min(tf_type) as tf_type
  from iac_resources
  where document = 'state'
    and regexp_matches(resource_id, '^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$')
  group by resource_id, tenant_id
),
live_subs as (select distinct lower(subscription_id) as sub from resources where origin <> 'plan' and subscription_id is not null)
select
  e.resource_id,
  e.tenant_id,
  case
    when r.id is not null then 'pass'
    when split_part(e.resource_id, '/', 3) not in (select sub from live_subs) then 'error'
    else 'fail'
  end as status,
  case
    when r.id is not null then 'exists live; tracked by ' || e.workspace_key || ' as ' || e.address
    when split_part(e.resource_id, '/', 3) not in (select sub from live_subs) then 'nothing was collected live from its subscription: cannot tell whether it exists'
    else 'tracked by ' || e.workspace_key || ' as ' || e.address || ' but not found live: deleted outside the pipeline'
  end as reason,
  json_object('resourceId', e.resource_id, 'stateKey', e.workspace_key, 'address', e.address, 'terraformType', e.tf_type) as evidence
from entries e
left join resources r on r.id = e.resource_id and r.origin <> 'plan'
