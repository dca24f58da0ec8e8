-- Average memory use under waste_pct of the request.
with c as (
  select *,
         mem_request_bytes / 1048576 as mem_request_mib,
         samples >= getvariable('min_samples') and history_hours >= getvariable('min_history_hours') as enough,
         100 * mem_avg_bytes / mem_request_bytes as used_pct
  from k8s_container_usage()
  where not hpa_scaled and mem_request_bytes > 0
)
select
  c.subject_id as resource_id,
  c.tenant_id,
  if(c.enough, 'recommend', 'not-enough-data') as status,
  json_object('memory_request_mib', round(c.mem_request_mib, 1)) as current,
  json_object('memory_request_mib',
              least(ceil(c.mem_max_bytes * (1 + getvariable('mem_buffer_pct') / 100) / 1048576), ceil(c.mem_request_mib))) as proposed,
  null::decimal(18, 2) as monthly_savings,
  null::varchar as currency,
  null::date as price_sheet_date,
  if(c.history_hours >= 168, 'high', 'medium') as confidence,
  if(c.enough,
     format('average memory use {}Mi is {}% of the {}Mi request (under {}%); savings not estimated: requests are not billed, freed capacity shows under underutilized-node-pool',
            round(c.mem_avg_bytes / 1048576), round(c.used_pct, 1), round(c.mem_request_mib), getvariable('waste_pct')),
     format('not enough data: {} samples over {} hours (need {} samples and {} hours)', c.samples, round(c.history_hours, 1),
            getvariable('min_samples'), getvariable('min_history_hours'))) as reason,
  json_object('pods', c.pods, 'samples', c.samples, 'history_hours', c.history_hours, 'memory_avg_bytes', c.mem_avg_bytes,
              'memory_max_bytes', c.mem_max_bytes, 'used_pct_of_request', c.used_pct) as evidence
from c
where not c.enough or c.used_pct < getvariable('waste_pct')
