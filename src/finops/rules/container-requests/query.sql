-- KRR's simple strategy: CPU at P95 of usage, memory at peak plus a buffer.
with c as (
  select *,
         greatest(ceil(cpu_p95_mcores / 10) * 10, getvariable('cpu_min_mcores')) as cpu_proposed_mcores,
         greatest(ceil(mem_max_bytes * (1 + getvariable('mem_buffer_pct') / 100) / 1048576), getvariable('mem_min_mib')) as mem_proposed_mib,
         samples >= getvariable('min_samples') and history_hours >= getvariable('min_history_hours') as enough,
         cpu_request_cores * 1000 as cpu_request_mcores,
         mem_request_bytes / 1048576 as mem_request_mib
  from k8s_container_usage()
  where not hpa_scaled
)
select
  c.subject_id as resource_id,
  c.tenant_id,
  if(c.enough, 'recommend', 'not-enough-data') as status,
  json_object('cpu_request_mcores', c.cpu_request_mcores, 'memory_request_mib', round(c.mem_request_mib, 1)) as current,
  json_object('cpu_request_mcores', c.cpu_proposed_mcores, 'memory_request_mib', c.mem_proposed_mib) as proposed,
  null::decimal(18, 2) as monthly_savings,
  null::varchar as currency,
  null::date as price_sheet_date,
  if(c.history_hours >= 168, 'high', 'medium') as confidence,
  if(c.enough,
     format('CPU request {} → {}m (P95 usage {}m), memory request {} → {}Mi (peak {}Mi + {}%); savings not estimated: requests are not billed, freed capacity shows under underutilized-node-pool',
            coalesce(c.cpu_request_mcores || 'm', 'unset'), c.cpu_proposed_mcores, round(c.cpu_p95_mcores),
            coalesce(round(c.mem_request_mib) || 'Mi', 'unset'), c.mem_proposed_mib, round(c.mem_max_bytes / 1048576),
            getvariable('mem_buffer_pct')),
     format('not enough data: {} samples over {} hours (need {} samples and {} hours)', c.samples, round(c.history_hours, 1),
            getvariable('min_samples'), getvariable('min_history_hours'))) as reason,
  json_object('pods', c.pods, 'samples', c.samples, 'history_hours', c.history_hours, 'cpu_p95_mcores', c.cpu_p95_mcores,
              'cpu_avg_mcores', c.cpu_avg_mcores, 'memory_max_bytes', c.mem_max_bytes, 'memory_avg_bytes', c.mem_avg_bytes) as evidence
from c
where not c.enough
   or c.cpu_request_mcores is null or c.mem_request_mib is null
   or abs(c.cpu_proposed_mcores - c.cpu_request_mcores) >= c.cpu_request_mcores * getvariable('change_min_pct') / 100
   or abs(c.mem_proposed_mib - c.mem_request_mib) >= c.mem_request_mib * getvariable('change_min_pct') / 100
