-- The policy engine must be one that enforces NetworkPolicy objects; ARM drops networkPolicy when it is none.
with c as (
  select id, tenant_id,
         properties->'$.networkProfile' as np,
         properties->>'$.networkProfile.networkPolicy' as policy,
         unknown_at(unknown_paths, 'properties.networkProfile.networkPolicy') as policy_unknown
  from resources
  where type = 'microsoft.containerservice/managedclusters'
)
select
  id as resource_id,
  tenant_id,
  case
    when np is null or json_type(np) <> 'OBJECT' then 'error'
    when lower(policy) in ('azure', 'calico', 'cilium') then 'pass'
    when policy is null and policy_unknown then 'error'
    else 'fail'
  end as status,
  case
    when np is null or json_type(np) <> 'OBJECT' then 'networkProfile is absent'
    when lower(policy) in ('azure', 'calico', 'cilium') then 'network policy engine is ' || policy
    when policy is null and policy_unknown then 'networkPolicy is known only after apply'
    when policy is null then 'no network policy engine (networkPolicy is absent)'
    else 'network policy engine is ' || policy
  end as reason,
  json_object('networkPolicy', policy, 'networkPlugin', np->>'$.networkPlugin') as evidence
from c
