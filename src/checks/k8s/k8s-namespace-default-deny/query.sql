-- Tenant namespaces and the NetworkPolicies that deny all ingress / egress to every pod in them.
with namespaces as (
  select *
  from k8s_namespaces()
  where tenant_id is not null
    and not list_contains(csv_items(getvariable('exempt_namespaces')), name)
),
policies as (
  select cluster, namespace, name,
         coalesce(json_type(spec) = 'OBJECT' and json_type(spec, '$.podSelector') = 'OBJECT', false) as readable,
         -- an empty podSelector selects every pod; so does one whose matchLabels and matchExpressions are both empty
         len(coalesce(json_keys(spec, '$.podSelector.matchLabels'), []))
           + len(json_extract(spec, '$.podSelector.matchExpressions[*]')) = 0 as all_pods,
         coalesce(from_json(json_extract(spec, '$.policyTypes'), '["varchar"]'),
                  ['Ingress'] || if(len(json_extract(spec, '$.egress[*]')) > 0, ['Egress'], [])) as types,
         len(json_extract(spec, '$.ingress[*]')) as ingress_rules,
         len(json_extract(spec, '$.egress[*]')) as egress_rules
  from k8s_objects
  where kind = 'NetworkPolicy'
),
per_namespace as (
  select cluster, namespace,
         list_sort(list(name) filter (where readable and all_pods and list_contains(types, 'Ingress') and ingress_rules = 0)) as deny_ingress,
         list_sort(list(name) filter (where readable and all_pods and list_contains(types, 'Egress') and egress_rules = 0)) as deny_egress,
         list_sort(list(name) filter (where not readable)) as unreadable,
         list_sort(list(name)) as all_policies
  from policies
  group by cluster, namespace
),
judged as (
  select n.resource_id, n.tenant_id, n.name, n.collected, p.deny_ingress, p.deny_egress, p.unreadable, p.all_policies,
         list_filter([if(len(coalesce(p.deny_ingress, [])) = 0, 'ingress', null),
                      if(len(coalesce(p.deny_egress, [])) = 0, 'egress', null)], lambda d: d is not null) as open
  from namespaces n
  left join per_namespace p on p.cluster = n.cluster and p.namespace = n.name
)
select
  resource_id,
  tenant_id,
  case
    when not collected then 'error'
    when len(open) = 0 then 'pass'
    when len(coalesce(unreadable, [])) > 0 then 'error'
    else 'fail'
  end as status,
  case
    when not collected then 'namespace ' || name || ' was not collected (no Namespace object), though objects name it'
    when len(open) = 0 then 'default deny: ingress by ' || array_to_string(deny_ingress, ', ')
      || '; egress by ' || array_to_string(deny_egress, ', ')
    when len(coalesce(unreadable, [])) > 0 then 'no default deny for ' || array_to_string(open, ' or ')
      || ' found, and the spec or podSelector of NetworkPolicies ' || array_to_string(unreadable, ', ') || ' is absent'
    when all_policies is null then 'no NetworkPolicy in the namespace: all ingress and egress is allowed'
    else 'no default-deny NetworkPolicy for ' || array_to_string(open, ' or ') || ' (policies: '
      || array_to_string(all_policies, ', ') || ')'
  end as reason,
  json_object('defaultDenyIngress', deny_ingress, 'defaultDenyEgress', deny_egress, 'policies', all_policies,
              'unreadablePolicies', unreadable) as evidence
from judged
