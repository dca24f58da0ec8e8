-- Drift per resource: attributes a refresh-only plan found changed, and tracked scalar properties that differ live.
-- Each state instance is compared with the live resource of its tenant it tracks, then grouped per resource.
with pairs as (
  select s.tenant_id, r.id as live_id, s.workspace_key, s.address, r.properties is null as uncollected,
         s.properties::map(varchar, json) as sp, r.properties::map(varchar, json) as lp
  from iac_resources s
  join resources r on r.id = s.resource_id and r.tenant_id is not distinct from s.tenant_id and r.origin <> 'plan'
  where s.document = 'state' and s.resource_id is not null
),
tracked as (
  select tenant_id, live_id, min(workspace_key) as workspace_key, min(address) as address,
         bool_and(uncollected) as uncollected,
         -- Scalars on both sides only: a nested value is compared by the checks that read into it.
         nullif(list_sort(list_distinct(flatten(list(list_filter(coalesce(map_keys(sp), []), k ->
           json_type(sp[k]) not in ('OBJECT', 'ARRAY', 'NULL') and json_type(lp[k]) not in ('OBJECT', 'ARRAY', 'NULL')
           and lower(sp[k] ->> '$') <> lower(lp[k] ->> '$')))))), []) as differing
  from pairs
  group by tenant_id, live_id
),
refreshed as (
  select tenant_id, resource_id, min(workspace_key) as workspace_key, min(address) as address,
         list_sort(flatten(list(drift_attributes))) as drifted
  from iac_resources
  where document = 'plan' and resource_id is not null
  group by tenant_id, resource_id
),
subjects as (
  -- A plan's resource not live in its own tenant's scope is named by its plan entry: the id may be another tenant's.
  select coalesce(t.live_id, 'iac://' || p.workspace_key || '#' || p.address) as id, coalesce(t.tenant_id, p.tenant_id) as tenant_id,
         coalesce(t.workspace_key, p.workspace_key) as workspace_key, coalesce(t.address, p.address) as address,
         coalesce(t.uncollected, false) as uncollected, t.differing, p.drifted
  from tracked t
  full join refreshed p on p.resource_id = t.live_id and p.tenant_id is not distinct from t.tenant_id
)
select
  id as resource_id,
  tenant_id,
  case
    when len(drifted) > 0 or len(differing) > 0 then 'fail'
    when uncollected then 'error'
    else 'pass'
  end as status,
  case
    when len(drifted) > 0 or len(differing) > 0 then 'changed outside Terraform: '
      || array_to_string(list_sort(list_distinct(list_concat(coalesce(drifted, []), coalesce(differing, [])))), ', ')
      || ' (state ' || workspace_key || ', ' || address || ')'
    when uncollected then 'live properties not collected: cannot compare with the state'
    else 'matches its state ' || workspace_key || ' (' || address || ')'
  end as reason,
  json_object('resourceId', id, 'stateKey', workspace_key, 'address', address,
              'refreshOnlyPlan', drifted, 'differingProperties', differing) as evidence
from subjects
