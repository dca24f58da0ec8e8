-- Top-level live resources of tenants with Terraform states, and whether a state of the same tenant tracks each.
-- Joined before grouped: only the state instances that name a live resource of their tenant are grouped.
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
  select l.*, (select min(why) from rules where l.id like replace(lower(pattern), '*', '%')) as excluded
  from live l
)
select
  l.id as resource_id,
  l.tenant_id,
  case
    when l.excluded is not null then 'pass'
    when s.tenant_id is null then 'error'
    when t.id is not null then 'pass'
    else 'fail'
  end as status,
  case
    when l.excluded is not null then 'excluded: ' || l.excluded
    when s.tenant_id is null then 'no Terraform state of this tenant was collected: cannot tell whether it is managed'
    when t.id is not null then 'tracked by ' || t.workspace_key || ' as ' || t.address
    else 'no state of the tenant tracks this ' || l.type || ': made outside the pipeline'
  end as reason,
  json_object('resourceId', l.id, 'stateKey', t.workspace_key, 'address', t.address, 'statesOfTenant', s.keys,
              'exclusion', l.excluded) as evidence
from judged l
left join states s on s.tenant_id = l.tenant_id
left join tracked t on t.tenant_id = l.tenant_id and t.id = l.id
