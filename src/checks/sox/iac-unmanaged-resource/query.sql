-- Top-level live resources of tenants with Terraform states, and whether a state of the same tenant tracks each.
with rules as (
  select trim(split_part(item, '=', 1)) as pattern, trim(substr(item, strpos(item, '=') + 1)) as why
  from (select unnest(string_split(getvariable('exclusions'), ';')) as item)
  where strpos(item, '=') > 0
),
states as (
  select tenant_id, list_sort(list(distinct workspace_key)) as keys from iac_resources where document = 'state' group by tenant_id
),
tracked as (
  select tenant_id, resource_id, min(workspace_key) as workspace_key, min(address) as address
  from iac_resources where document = 'state' and resource_id is not null group by all
),
live as (
  select r.id, r.tenant_id, r.type,
         (select min(why) from rules where r.id like replace(lower(pattern), '*', '%')) as excluded
  from resources r
  where r.origin <> 'plan' and r.tenant_id is not null and r.parent_id is null
    and regexp_matches(r.id, '^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$')
    and exists (select 1 from iac_resources)
)
select
  l.id as resource_id,
  l.tenant_id,
  case
    when l.excluded is not null then 'pass'
    when s.tenant_id is null then 'error'
    when t.resource_id is not null then 'pass'
    else 'fail'
  end as status,
  case
    when l.excluded is not null then 'excluded: ' || l.excluded
    when s.tenant_id is null then 'no Terraform state of this tenant was collected: cannot tell whether it is managed'
    when t.resource_id is not null then 'tracked by ' || t.workspace_key || ' as ' || t.address
    else 'no state of the tenant tracks this ' || l.type || ': made outside the pipeline'
  end as reason,
  json_object('resourceId', l.id, 'stateKey', t.workspace_key, 'address', t.address, 'statesOfTenant', s.keys,
              'exclusion', l.excluded) as evidence
from live l
left join states s on s.tenant_id = l.tenant_id
left join tracked t on t.tenant_id = l.tenant_id and t.resource_id = l.id
