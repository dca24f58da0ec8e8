-- Service accounts that automount their token, and the pod specs of their namespace that run as them with it mounted.
with accounts as (
  select *, k8s_id(cluster, kind, namespace, name) as resource_id,
         json_extract_string(spec, '$.automountServiceAccountToken') as automount
  from k8s_objects
  where kind = 'ServiceAccount'
    and not list_contains(csv_items(getvariable('exempt_namespaces')), namespace)
),
pod_specs as (
  select cluster, namespace, kind || '/' || name as workload, has_pod_spec,
         coalesce(nullif(json_extract_string(pod_spec, '$.serviceAccountName'), ''),
                  nullif(json_extract_string(pod_spec, '$.serviceAccount'), ''), 'default') as account,
         json_extract_string(pod_spec, '$.automountServiceAccountToken') as pod_automount
  from k8s_pod_templates()
),
per_account as (
  select a.resource_id,
         list_sort(list(p.workload) filter (where p.has_pod_spec and p.pod_automount is distinct from 'false')) as mounting,
         list_sort(list(p.workload) filter (where p.has_pod_spec and p.pod_automount = 'false')) as opted_out
  from accounts a
  join pod_specs p on p.cluster = a.cluster and p.namespace = a.namespace and p.account = a.name
  group by a.resource_id
),
unreadable as (
  select cluster, namespace, list_sort(list(workload)) as workloads
  from pod_specs
  where not has_pod_spec
  group by cluster, namespace
),
judged as (
  select a.resource_id, a.tenant_id, a.name, a.spec, a.automount, u.workloads as unreadable,
         coalesce(p.mounting, []) as mounting, coalesce(p.opted_out, []) as opted_out
  from accounts a
  left join per_account p on p.resource_id = a.resource_id
  left join unreadable u on u.cluster = a.cluster and u.namespace = a.namespace
)
select
  resource_id,
  tenant_id,
  case
    when coalesce(json_type(spec) <> 'OBJECT', true) then 'error'
    when automount = 'false' then 'pass'
    when automount is not null and automount <> 'true' then 'error'
    when len(mounting) > 0 then 'pass'
    when unreadable is not null then 'error'
    else 'fail'
  end as status,
  case
    when coalesce(json_type(spec) <> 'OBJECT', true) then 'spec was not collected'
    when automount = 'false' then 'automountServiceAccountToken is false'
    when automount is not null and automount <> 'true' then 'unrecognised automountServiceAccountToken value ' || automount
    when len(mounting) > 0 then 'token mounted by ' || array_to_string(mounting[1:3], ', ')
      || if(len(mounting) > 3, format(' and {} more', len(mounting) - 3), '')
    when unreadable is not null then 'no workload mounts its token, but the pod spec of ' || array_to_string(unreadable, ', ')
      || ' is absent'
    else 'automountServiceAccountToken is ' || coalesce(automount, 'not set (true)') || ' but no workload mounts its token'
      || if(len(opted_out) > 0, ' (' || array_to_string(opted_out, ', ') || ' run as it with automountServiceAccountToken false)', '')
  end as reason,
  json_object('automountServiceAccountToken', automount, 'mountedBy', mounting, 'optedOut', opted_out,
              'podSpecsAbsent', unreadable) as evidence
from judged
