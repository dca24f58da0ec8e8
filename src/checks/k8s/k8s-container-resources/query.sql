-- Containers and init containers missing a CPU or memory request or limit. Workload subjects and their containers
-- come from k8s_workloads (src/checks/macros.sql), each pod spec judged once; ephemeral containers are left out.
with workloads as (
  select *
  from k8s_workloads(false)
  where not list_contains(csv_items(getvariable('exempt_namespaces')), namespace)
),
containers as (
  select resource_id, c.role, c.name, json_extract(c.c, '$.resources') as r
  from (select resource_id, unnest(containers) as c from workloads)
),
quantities as (
  select resource_id, role, name, r, q.field, q.raw, k8s_quantity(q.raw) as value
  from (select *, unnest([
          {'field': 'requests.cpu', 'raw': json_extract_string(r, '$.requests.cpu')},
          {'field': 'requests.memory', 'raw': json_extract_string(r, '$.requests.memory')},
          {'field': 'limits.cpu', 'raw': json_extract_string(r, '$.limits.cpu')},
          {'field': 'limits.memory', 'raw': json_extract_string(r, '$.limits.memory')}]) as q
        from containers)
),
per_container as (
  select resource_id, role, name,
         list(field order by field) filter (where raw is null or trim(raw) = '') as missing,
         list(field || ' ' || raw order by field) filter (where trim(raw) <> '' and value is null) as unreadable,
         json_object('container', name, 'role', role, 'requests', any_value(r->'$.requests'), 'limits', any_value(r->'$.limits'),
                     'cores', json_object('request', max(value) filter (where field = 'requests.cpu'),
                                          'limit', max(value) filter (where field = 'limits.cpu')),
                     'bytes', json_object('request', max(value) filter (where field = 'requests.memory'),
                                          'limit', max(value) filter (where field = 'limits.memory'))) as evidence
  from quantities
  group by resource_id, role, name
),
per_workload as (
  select resource_id,
         list_sort(list(format('{} {} lacks {}', role, coalesce(name, '(unnamed)'), array_to_string(missing, ', ')))
                   filter (where len(missing) > 0)) as lacking,
         list_sort(list(format('{} {}: {}', role, coalesce(name, '(unnamed)'), array_to_string(unreadable, ', ')))
                   filter (where len(unreadable) > 0)) as unreadable,
         values_by_key(list({'key': name, 'value': evidence})) as containers
  from per_container
  group by resource_id
)
select
  w.resource_id,
  w.tenant_id,
  case
    when w.spec_problem is not null then 'error'
    when len(p.lacking) > 0 then 'fail'
    when len(p.unreadable) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when w.spec_problem is not null then w.spec_problem
    when len(p.lacking) > 0 then array_to_string(p.lacking, '; ')
    when len(p.unreadable) > 0 then 'not a Kubernetes quantity: ' || array_to_string(p.unreadable, '; ')
    else 'requests and limits set for CPU and memory (' || len(p.containers) || ' containers checked)'
  end as reason,
  json_object('containers', p.containers) as evidence
from workloads w
left join per_workload p on p.resource_id = w.resource_id
