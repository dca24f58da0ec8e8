-- Average CPU usage under waste_pct of the request.
with c as (
  select *,
         cpu_request_cores * 1000 as cpu_request_mcores,
         samples >= getvariable('min_samples') and history_hours >= getvariable('min_history_hours') as enough,
         100 * cpu_avg_mcores / cpu_request_mcores as used_pct
  from k8s_container_usage()
  where not hpa_scaled and cpu_request_cores > 0
)
select
  c.subject_id as resource_id,
  c.tenant_id,
  if(c.enough, 'recommend', 'not-enough-data') as status,
  json_object('cpu_request_mcores', c.cpu_request_mcores) as current,
  json_object('cpu_request_mcores', greatest(ceil(c.cpu_p95_mcores / 10) * 10, getvariable('cpu_min_mcores'))) as proposed,
  null::decimal(18, 2) as monthly_savings,
  null::varchar as currency,
  null::date as price_sheet_date,
  if(c.history_hours >= 168, 'high', 'medium') as confidence,
  if(c.enough,
     format('average CPU use {}m is {}% of the {}m request (under {}%); savings not estimated: requests are not billed, freed capacity shows under underutilized-node-pool',
            round(c.cpu_avg_mcores), round(c.used_pct, 1), c.cpu_request_mcores, getvariable('waste_pct')),
     format('not enough data: {} samples over {} hours (need {} samples and {} hours)', c.samples, round(c.history_hours, 1),
            getvariable('min_samples'), getvariable('min_history_hours'))) as reason,
  json_object('pods', c.pods, 'samples', c.samples, 'history_hours', c.history_hours, 'cpu_avg_mcores', c.cpu_avg_mcores,
              'cpu_p95_mcores', c.cpu_p95_mcores, 'used_pct_of_request', c.used_pct) as evidence
from c
where not c.enough or c.used_pct < getvariable('waste_pct')
