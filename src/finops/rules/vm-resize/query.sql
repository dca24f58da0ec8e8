-- The smallest size of the VM's series that keeps its CPU and memory peaks within the limits for its kind of workload.
with vm as (
  select v.*,
         -- tag names compare case-insensitively, as Azure's do
         list_filter(map_entries(cast(v.tags as map(varchar, varchar))),
                     e -> lower(e.key) = lower(getvariable('user_facing_tag')))[1].value as tier_tag,
         coalesce(list_contains(csv_items(lower(getvariable('user_facing_values'))), lower(tier_tag)), tier_tag is null) as user_facing,
         cpu.days as cpu_days, cpu.max_p95 as cpu_p95_pct,
         mem.days as mem_days, mem.min_low as mem_available_min_bytes,
         v.memory_gib - mem.min_low / 1024 ^ 3 as mem_used_gib
  from finops_vms() v
  left join metric_window(getvariable('today'), getvariable('lookback_days')) cpu
    on cpu.resource_id = lower(v.id) and cpu.metric = 'Percentage CPU'
  left join metric_window(getvariable('today'), getvariable('lookback_days')) mem
    on mem.resource_id = lower(v.id) and mem.metric = 'Available Memory Bytes'
  where coalesce(v.power_state, 'running') = 'running'
),
limits as (
  select *,
         if(user_facing, getvariable('user_facing_cpu_p95_max_pct'), getvariable('cpu_p95_max_pct')) as cpu_limit,
         if(user_facing, getvariable('user_facing_mem_max_pct'), getvariable('mem_max_pct')) as mem_limit,
         coalesce(cpu_days, 0) >= getvariable('min_days') and coalesce(mem_days, 0) >= getvariable('min_days') as enough
  from vm
),
target as (
  select l.id, arg_min(s.name, s.vcpus) as size, min(s.vcpus) as vcpus
  from limits l
  join vm_sizes() s on s.series = l.series and s.vcpus < l.vcpus
  where l.enough
    and l.cpu_p95_pct * l.vcpus / s.vcpus <= l.cpu_limit
    and 100 * l.mem_used_gib / s.memory_gib <= l.mem_limit
  group by l.id
),
judged as (
  select l.*, t.size as target_size, s.vcpus as target_vcpus, s.memory_gib as target_memory_gib,
         vm_hourly_price(t.size, l.location, l.os) as target_hourly_price
  from limits l
  left join target t on t.id = l.id
  left join vm_sizes() s on s.name = t.size
  where not l.enough or l.series is null or t.size is not null
)
select
  j.id as resource_id,
  j.tenant_id,
  case when j.series is null or not j.enough then 'not-enough-data' else 'recommend' end as status,
  json_object('vm_size', j.size, 'vcpus', j.vcpus, 'memory_gib', j.memory_gib, 'hourly_price', j.hourly_price) as current,
  json_object('vm_size', j.target_size, 'vcpus', j.target_vcpus, 'memory_gib', j.target_memory_gib,
              'hourly_price', j.target_hourly_price,
              'cpu_p95_pct', round(j.cpu_p95_pct * j.vcpus / j.target_vcpus, 1),
              'memory_used_pct', round(100 * j.mem_used_gib / j.target_memory_gib, 1)) as proposed,
  round((j.hourly_price - j.target_hourly_price) * 730, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  if(least(j.cpu_days, j.mem_days) >= getvariable('lookback_days'), 'high', 'medium') as confidence,
  case
    when j.series is null then format('size {} is not in the bundled size table ({})', coalesce(j.size, '(absent)'), vm_size_table_date())
    when not j.enough then format('not enough data: {} days of CPU and {} days of memory samples in the last {} days (need {})',
                                  coalesce(j.cpu_days, 0), coalesce(j.mem_days, 0), getvariable('lookback_days'), getvariable('min_days'))
    when j.hourly_price is null or j.target_hourly_price is null
      then format('{} fits in {} ({} workload: CPU P95 ≤ {}%, memory ≤ {}%); savings unknown: no price for {} in {} in the price sheet{}',
                  j.size, j.target_size, if(j.user_facing, 'user-facing', 'batch'), j.cpu_limit, j.mem_limit,
                  if(j.hourly_price is null, j.size, j.target_size), j.location, coalesce(' of ' || ps.sheet_date, ''))
    else format('{} fits in {} ({} workload: CPU P95 ≤ {}%, memory ≤ {}%)', j.size, j.target_size,
                if(j.user_facing, 'user-facing', 'batch'), j.cpu_limit, j.mem_limit)
  end as reason,
  json_object('user_facing', j.user_facing, 'cpu_days', j.cpu_days, 'cpu_p95_max_daily_pct', j.cpu_p95_pct,
              'memory_days', j.mem_days, 'available_memory_min_daily_avg_bytes', j.mem_available_min_bytes,
              'memory_used_peak_gib', round(j.mem_used_gib, 2), 'cpu_limit_pct', j.cpu_limit, 'memory_limit_pct', j.mem_limit,
              'lookback_days', getvariable('lookback_days'), 'size_table_date', vm_size_table_date()) as evidence
from judged j, price_sheet() ps
