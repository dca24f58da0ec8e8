-- The Pod Security Standards restricted profile, control by control. Workload subjects and their containers come from
-- k8s_workloads (src/checks/macros.sql), each pod spec judged once.
with workloads as (
  select *
  from k8s_workloads(true)
  where not list_contains(csv_items(getvariable('exempt_namespaces')), namespace)
),
pod_controls as (
  select resource_id,
         list_filter([
           case when json_extract_string(pod_spec, '$.hostNetwork') = 'true' then 'hostNetwork is true' end,
           case when json_extract_string(pod_spec, '$.hostPID') = 'true' then 'hostPID is true' end,
           case when json_extract_string(pod_spec, '$.hostIPC') = 'true' then 'hostIPC is true' end,
           case when json_extract_string(pod_spec, '$.securityContext.runAsUser') = '0' then 'pod runAsUser is 0' end
         ], lambda v: v is not null)
         || list_transform(list_filter(json_extract(pod_spec, '$.volumes[*]'), lambda v: json_type(v, '$.hostPath') is not null),
                           lambda v: 'hostPath volume ' || json_extract_string(v, '$.name')) as unmet
  from workloads
),
containers as (
  select resource_id, c.role, c.name, c.c as c, json_extract(pod_spec, '$.securityContext') as psc
  from (select resource_id, pod_spec, unnest(containers) as c from workloads)
),
container_controls as (
  select resource_id, role, name, c,
         -- a container's own setting wins over the pod's
         coalesce(json_extract_string(c, '$.securityContext.runAsNonRoot'), json_extract_string(psc, '$.runAsNonRoot')) as non_root,
         coalesce(json_extract_string(c, '$.securityContext.seccompProfile.type'),
                  json_extract_string(psc, '$.seccompProfile.type')) as seccomp,
         from_json(json_extract(c, '$.securityContext.capabilities.drop'), '["varchar"]') as drops,
         list_filter(from_json(json_extract(c, '$.securityContext.capabilities.add'), '["varchar"]'),
                     lambda a: a <> 'NET_BIND_SERVICE') as extra_caps,
         list_filter([
           case when json_extract_string(c, '$.securityContext.privileged') = 'true' then 'privileged' end,
           case when json_extract_string(c, '$.securityContext.allowPrivilegeEscalation') is distinct from 'false'
                then 'allowPrivilegeEscalation is not false' end,
           case when not coalesce(list_contains(drops, 'ALL'), false) then 'capabilities.drop lacks ALL' end,
           case when len(extra_caps) > 0 then 'capabilities.add ' || array_to_string(list_sort(extra_caps), ', ') end,
           case when non_root is distinct from 'true' then 'runAsNonRoot is not true' end,
           case when json_extract_string(c, '$.securityContext.runAsUser') = '0' then 'runAsUser is 0' end,
           case when seccomp is null or seccomp not in ('RuntimeDefault', 'Localhost')
                then 'seccompProfile is not RuntimeDefault or Localhost' end
         ], lambda v: v is not null) as unmet
  from containers
),
per_control as (
  select resource_id, control, list_sort(list(coalesce(name, '(unnamed)'))) as names
  from (select resource_id, name, unnest(unmet) as control from container_controls)
  group by resource_id, control
),
per_workload as (
  select resource_id,
         list_sort(list(control || ' (' || array_to_string(names, ', ') || ')')) as unmet,
         values_by_key(list({'key': control, 'value': json_object('control', control, 'containers', names)})) as evidence
  from per_control
  group by resource_id
)
select
  w.resource_id,
  w.tenant_id,
  case
    when w.spec_problem is not null then 'error'
    when len(pc.unmet) + len(coalesce(p.unmet, [])) > 0 then 'fail'
    else 'pass'
  end as status,
  case
    when w.spec_problem is not null then w.spec_problem
    when len(pc.unmet) + len(coalesce(p.unmet, [])) > 0
      then 'restricted profile not met: ' || array_to_string(list_sort(pc.unmet) || coalesce(p.unmet, []), '; ')
    else 'restricted profile met (' || len(w.containers) || ' containers checked)'
  end as reason,
  json_object('podSecurityContext', json_extract(w.pod_spec, '$.securityContext'), 'podControlsUnmet', pc.unmet,
              'containerControlsUnmet', p.evidence) as evidence
from workloads w
join pod_controls pc on pc.resource_id = w.resource_id
left join per_workload p on p.resource_id = w.resource_id
