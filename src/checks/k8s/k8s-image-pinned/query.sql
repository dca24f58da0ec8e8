-- Production workloads whose containers run a latest or untagged image. Workload subjects and their containers come
-- from k8s_workloads (src/checks/macros.sql), each pod spec judged once.
with ns as (
  select distinct cluster, name, collected,
         list_filter(list_transform(csv_items(getvariable('environment_labels')),
                                    lambda k: lower(trim(json_extract_string(labels, k)))),
                     lambda v: v is not null and v <> '')[1] as env
  from k8s_namespaces()
),
workloads as (
  select w.*, n.collected, n.env
  from k8s_workloads(true) w
  join ns n on n.cluster = w.cluster and n.name = w.namespace
  where not coalesce(list_contains(csv_items(lower(getvariable('nonprod_environments'))), n.env), false)
),
images as (
  select resource_id, c.role, c.name, json_extract_string(c.c, '$.image') as image
  from (select resource_id, unnest(containers) as c from workloads)
),
judged as (
  select *,
         case
           when image is null or trim(image) = '' then 'absent'
           when regexp_matches(image, '@[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$') then 'digest'
           when not contains(regexp_extract(image, '[^/]*$'), ':') then 'untagged'
           when regexp_extract(image, ':([^/:]*)$', 1) = 'latest' then 'latest'
           else 'tag'
         end as pinned_by
  from images
),
per_workload as (
  select resource_id,
         list_sort(list(format('{} {}: {} ({})', role, name, image, pinned_by)) filter (where pinned_by in ('latest', 'untagged'))) as unpinned,
         list_sort(list(coalesce(name, '(unnamed)')) filter (where pinned_by = 'absent')) as absent,
         values_by_key(list({'key': name, 'value': json_object('container', name, 'role', role, 'image', image,
                                                                'pinnedBy', pinned_by)})) as images
  from judged
  group by resource_id
)
select
  w.resource_id,
  w.tenant_id,
  case
    when not w.collected then 'error'
    when w.spec_problem is not null then 'error'
    when len(p.unpinned) > 0 then 'fail'
    when len(p.absent) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when not w.collected then 'namespace ' || w.namespace || ' was not collected: whether it is production is unknown'
    when w.spec_problem is not null then w.spec_problem
    when len(p.unpinned) > 0 then 'latest or untagged image in a production namespace: ' || array_to_string(p.unpinned, ', ')
    when len(p.absent) > 0 then 'image is absent on containers: ' || array_to_string(p.absent, ', ')
    else 'every image is pinned to a tag or digest (' || len(p.images) || ' images checked)'
  end as reason,
  json_object('namespace', w.namespace, 'environment', w.env, 'images', p.images) as evidence
from workloads w
left join per_workload p on p.resource_id = w.resource_id
