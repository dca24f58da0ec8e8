-- Bindings of the ClusterRole cluster-admin and which of their subjects are not Kubernetes system identities.
with bindings as (
  select *, k8s_id(cluster, kind, namespace, name) as resource_id,
         json_extract_string(spec, '$.roleRef.kind') as role_kind,
         json_extract_string(spec, '$.roleRef.name') as role_name
  from k8s_objects
  where kind in ('ClusterRoleBinding', 'RoleBinding')
),
subjects as (
  select resource_id,
         json_extract_string(s, '$.kind') as kind,
         json_extract_string(s, '$.name') as name,
         coalesce(json_extract_string(s, '$.namespace'), namespace) as sa_namespace
  from (select resource_id, namespace, unnest(json_extract(spec, '$.subjects[*]')) as s from bindings)
),
classified as (
  select *,
         (kind = 'Group' and list_contains(csv_items(getvariable('system_groups')), name))
         or (kind = 'ServiceAccount' and list_contains(csv_items(getvariable('system_namespaces')), sa_namespace))
         or (kind = 'User' and name like 'system:serviceaccount:%'
             and list_contains(csv_items(getvariable('system_namespaces')), split_part(name, ':', 3))) as is_system,
         kind || ' ' || if(kind = 'ServiceAccount', sa_namespace || '/', '') || name as label
  from subjects
),
per_binding as (
  select resource_id,
         list_sort(list(label) filter (where not coalesce(is_system, false))) as others,
         list_sort(list(label)) as all_subjects
  from classified
  group by resource_id
)
select
  b.resource_id,
  b.tenant_id,
  case
    when b.role_kind is null or b.role_name is null then 'error'
    when len(p.others) > 0 then 'fail'
    else 'pass'
  end as status,
  case
    when b.role_kind is null or b.role_name is null then 'roleRef was not collected: the binding may grant cluster-admin'
    when len(p.others) > 0 then 'cluster-admin bound to ' || array_to_string(p.others, ', ')
    when p.all_subjects is null then 'cluster-admin bound to no subject'
    else 'cluster-admin bound only to system identities: ' || array_to_string(p.all_subjects, ', ')
  end as reason,
  json_object('roleRef', json_extract(b.spec, '$.roleRef'), 'nonSystemSubjects', p.others, 'subjects', p.all_subjects) as evidence
from bindings b
left join per_binding p on p.resource_id = b.resource_id
where (b.role_kind = 'ClusterRole' and b.role_name = 'cluster-admin') or b.role_kind is null or b.role_name is null
