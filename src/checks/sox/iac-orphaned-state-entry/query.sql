-- State instances with a top-level ARM id, and whether the live collection found the resource.
with entries as (
  select resource_id, tenant_id, min(workspace_key) as workspace_key, min(address) as address, min(tf_type) as tf_type
  from iac_resources
  where document = 'state'
    and regexp_matches(resource_id, '^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$')
  group by resource_id, tenant_id
),
live_subs as (select distinct lower(subscription_id) as sub from resources where origin <> 'plan' and subscription_id is not null),
judged as (
  select e.*, r.id as live_id, r.id is not null and r.tenant_id is distinct from e.tenant_id as foreign_live
  from entries e
  left join (select id, any_value(tenant_id) as tenant_id from resources where origin <> 'plan' group by id) r on r.id = e.resource_id
)
select
  -- The state's own entry names the subject: the live id may be in another tenant's scope, which this tenant never sees.
  'iac://' || e.workspace_key || '#' || e.address as resource_id,
  e.tenant_id,
  case
    when e.foreign_live then 'error'
    when e.live_id is not null then 'pass'
    when split_part(e.resource_id, '/', 3) not in (select sub from live_subs) then 'error'
    else 'fail'
  end as status,
  case
    when e.foreign_live then 'the resource exists in another tenant''s scope: this state should not track it'
    when e.live_id is not null then 'exists live'
    when split_part(e.resource_id, '/', 3) not in (select sub from live_subs) then 'nothing was collected live from its subscription: cannot tell whether it exists'
    else 'not found live: deleted outside the pipeline'
  end as reason,
  json_object('stateKey', e.workspace_key, 'address', e.address, 'resourceId', e.resource_id, 'terraformType', e.tf_type) as evidence
from judged e
