-- Drift per resource: attributes a refresh-only plan found changed, and tracked scalar properties that differ live.
-- Joined before grouped: only the state rows live in their tenant's scope are grouped, not every instance of every state.
with tracked as (
  select s.tenant_id, r.id as live_id, min(s.workspace_key) as workspace_key, min(s.address) as address,
         any_value(s.properties) as properties, any_value(r.properties) as live_properties
  from iac_resources s
  join resources r on r.id = s.resource_id and r.tenant_id is not distinct from s.tenant_id and r.origin <> 'plan'
  where s.document = 'state' and s.resource_id is not null
  group by s.tenant_id, r.id
),
compared as (
  select live_id, list_sort(list(distinct k) filter (where k is not null)) as differing
  from (
    select t.live_id, k.k
    from tracked t, unnest(coalesce(json_keys(t.properties), [])) as k(k)
    where json_type(t.properties, '$."' || k.k || '"') not in ('OBJECT', 'ARRAY', 'NULL')
      and json_type(t.live_properties, '$."' || k.k || '"') not in ('OBJECT', 'ARRAY', 'NULL')
      and lower(json_extract_string(t.properties, '$."' || k.k || '"'))
          <> lower(json_extract_string(t.live_properties, '$."' || k.k || '"'))
    union all
    select live_id, null from tracked
  )
  group by live_id
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
         t.live_id is not null and t.live_properties is null as uncollected,
         c.differing, p.drifted
  from tracked t
  full join refreshed p on p.resource_id = t.live_id and p.tenant_id is not distinct from t.tenant_id
  left join compared c on c.live_id = t.live_id
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
