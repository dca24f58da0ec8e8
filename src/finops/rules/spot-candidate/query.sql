-- Batch workloads that cannot be scheduled on spot nodes.
with batch as (
  select cluster, kind, namespace, name, tenant_id, k8s_id(cluster, kind, namespace, name) as id,
         json_extract(spec, if(kind = 'CronJob', '$.jobTemplate.spec.template.spec', '$.template.spec')) as pod_spec
  from k8s_objects o
  where kind in ('Job', 'CronJob')
    -- a Job a collected CronJob made (<cronjob>-<scheduled time>) is judged through the CronJob
    and not (kind = 'Job' and exists (
      select 1 from k8s_objects c
      where c.kind = 'CronJob' and c.cluster = o.cluster and c.namespace = o.namespace
        and starts_with(o.name, c.name || '-') and regexp_full_match(substr(o.name, len(c.name) + 2), '[0-9]+')))
),
tolerating as (
  select b.id,
         len(list_filter(coalesce(json_extract(b.pod_spec, '$.tolerations[*]'), []),
                         tol -> (json_extract_string(tol, '$.key') = getvariable('spot_taint_key')
                                 and (json_extract_string(tol, '$.operator') = 'Exists'
                                      or json_extract_string(tol, '$.value') = getvariable('spot_taint_value')))
                                or (json_extract_string(tol, '$.key') is null
                                    and json_extract_string(tol, '$.operator') = 'Exists'))) > 0 as tolerates_spot
  from batch b
),
spot_clusters as (
  select distinct c.name as cluster
  from resources c, unnest(coalesce(json_extract(c.properties, '$.agentPoolProfiles[*]'), [])) as p(pool)
  where c.type = 'microsoft.containerservice/managedclusters' and lower(pool->>'$.scaleSetPriority') = 'spot'
  union
  select c.name from resources c
  join resources ap on ap.type = 'microsoft.containerservice/managedclusters/agentpools' and lower(ap.parent_id) = lower(c.id)
  where c.type = 'microsoft.containerservice/managedclusters' and lower(ap.properties->>'$.scaleSetPriority') = 'spot'
)
select
  b.id as resource_id,
  b.tenant_id,
  if(coalesce(json_type(b.pod_spec) = 'OBJECT', false), 'recommend', 'not-enough-data') as status,
  json_object('tolerates_spot', false) as current,
  json_object('toleration', json_object('key', getvariable('spot_taint_key'), 'operator', 'Equal',
                                        'value', getvariable('spot_taint_value'), 'effect', 'NoSchedule'),
              'preferred_node_affinity', getvariable('spot_taint_key') || '=' || getvariable('spot_taint_value')) as proposed,
  null::decimal(18, 2) as monthly_savings,
  null::varchar as currency,
  null::date as price_sheet_date,
  if(s.cluster is not null, 'high', 'medium') as confidence,
  case
    when not coalesce(json_type(b.pod_spec) = 'OBJECT', false) then 'not enough data: the pod template is absent'
    else format('{} {} does not tolerate the spot taint {}={}{}; savings not estimated: spot prices move and job node hours are not collected',
                b.kind, b.name, getvariable('spot_taint_key'), getvariable('spot_taint_value'),
                if(s.cluster is null, ' (cluster ' || b.cluster || ' has no spot node pool yet)', ''))
  end as reason,
  json_object('tolerations', json_extract(b.pod_spec, '$.tolerations'), 'cluster_has_spot_pool', s.cluster is not null) as evidence
from batch b
join tolerating t on t.id = b.id
left join spot_clusters s on s.cluster = b.cluster
where not t.tolerates_spot
