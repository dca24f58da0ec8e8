-- Each state instance with a top-level ARM id, and whether the live collection found the resource.
with live as (select id, any_value(tenant_id) as tenant_id from resources where origin <> 'plan' group by id),
live_subs as (select distinct lower(subscription_id) as sub from resources where origin <> 'plan' and subscription_id is not null),
entries as (
  select s.workspace_key, s.address, s.tf_type, s.resource_id, s.tenant_id,
         r.id is not null and r.tenant_id is not distinct from s.tenant_id as own_live, r.id is not null as live,
         split_part(s.resource_id, '/', 3) in (select sub from live_subs) as collected
  from iac_resources s left join live r on r.id = s.resource_id
  where s.document = 'state'
    and regexp_matches(s.resource_id, '^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$')
)
select
  -- The state's own entry names the subject: the live id may be in another tenant's scope, which this tenant never sees.
  'iac://' || e.workspace_key || '#' || e.address as resource_id,
  e.tenant_id,
  case
    when e.own_live then 'pass'
    when e.live then 'error'
    when not e.collected then 'error'
    else 'fail'
  end as status,
  case
    when e.own_live then 'exists live'
    when e.live then 'the resource exists in another tenant''s scope: this state should not track it'
    when not e.collected then 'nothing was collected live from its subscription: cannot tell whether it exists'
    else 'not found live: deleted outside the pipeline'
  end as reason,
  json_object('stateKey', e.workspace_key, 'address', e.address, 'resourceId', e.resource_id, 'terraformType', e.tf_type) as evidence
from entries e
