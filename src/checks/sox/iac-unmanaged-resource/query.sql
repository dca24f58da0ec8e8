-- Top-level live resources of tenants with Terraform states, and whether a state of the same tenant tracks each.
-- Joined before grouped: only the state instances that name a live resource of their tenant are grouped. Exclusions
-- are looked up for the resources no state tracks: a tracked one needs none.
with rules as (
  select trim(split_part(item, '=', 1)) as pattern, trim(substr(item, strpos(item, '=') + 1)) as why
  from (select unnest(string_split(getvariable('exclusions'), ';')) as item)
  where strpos(item, '=') > 0
),
states as (
  select tenant_id, list_sort(list(distinct workspace_key)) as keys from iac_resources where document = 'state' group by tenant_id
),
live as (
  select r.id, r.tenant_id, r.type
  from resources r
  where r.origin <> 'plan' and r.tenant_id is not null and r.parent_id is null
    and regexp_matches(r.id, '^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$')
    and exists (select 1 from iac_resources)
),
tracked as (
  select l.tenant_id, l.id, min(s.workspace_key) as workspace_key, min(s.address) as address
  from live l join iac_resources s on s.resource_id = l.id and s.tenant_id = l.tenant_id
  where s.document = 'state'
  group by l.tenant_id, l.id
),
judged as (
  select l.*, t.workspace_key, t.address from live l left join tracked t on t.tenant_id = l.tenant_id and t.id = l.id
),
excluded as (
  select j.tenant_id, j.id, (select min(why) from rules where j.id like replace(lower(pattern), '*', '%')) as why
  from judged j where j.address is null
)
select
  l.id as resource_id,
  l.tenant_id,
  case
    when l.address is not null then 'pass'
    when x.why is not null then 'pass'
    when s.tenant_id is null then 'error'
    else 'fail'
  end as status,
  case
    when l.address is not null then 'tracked by ' || l.workspace_key || ' as ' || l.address
    when x.why is not null then 'excluded: ' || x.why
    when s.tenant_id is null then 'no Terraform state of this tenant was collected: cannot tell whether it is managed'
    else 'no state of the tenant tracks this ' || l.type || ': made outside the pipeline'
  end as reason,
  -- Tracked: where. Not tracked: the states searched, or the exclusion that applies.
  case
    when l.address is not null then json_object('resourceId', l.id, 'stateKey', l.workspace_key, 'address', l.address)
    else json_object('resourceId', l.id, 'statesOfTenant', coalesce(s.keys, []), 'exclusion', x.why)
  end as evidence
from judged l
left join states s on s.tenant_id = l.tenant_id
left join excluded x on x.tenant_id = l.tenant_id and x.id = l.id
