-- Idle: the P95 of the daily CPU maxima and of the daily network maxima (as a share of the size's bandwidth) are low.
with vm as (
  select v.*,
         cpu.days as cpu_days, cpu.p95_of_max as cpu_p95_of_max_pct,
         net.days as net_days,
         net.p95_of_max * 8 / getvariable('network_grain_seconds') / 1e6 as net_p95_of_max_mbps,
         100 * net_p95_of_max_mbps / v.network_mbps as net_pct,
         coalesce(cpu.days, 0) >= getvariable('min_days') and coalesce(net.days, 0) >= getvariable('min_days') as enough
  from finops_vms() v
  left join metric_window(getvariable('today'), getvariable('lookback_days')) cpu
    on cpu.resource_id = lower(v.id) and cpu.metric = 'Percentage CPU'
  left join metric_window(getvariable('today'), getvariable('lookback_days')) net
    on net.resource_id = lower(v.id) and net.metric = 'Network Out Total'
  where coalesce(v.power_state, 'running') = 'running'
)
select
  v.id as resource_id,
  v.tenant_id,
  case when not v.enough or v.network_mbps is null then 'not-enough-data' else 'recommend' end as status,
  json_object('vm_size', v.size, 'power_state', coalesce(v.power_state, 'running'), 'hourly_price', v.hourly_price) as current,
  json_object('power_state', 'deallocated') as proposed,
  round(v.hourly_price * 730, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  if(least(v.cpu_days, v.net_days) >= getvariable('lookback_days'), 'high', 'medium') as confidence,
  case
    when not v.enough then format('not enough data: {} days of CPU and {} days of network samples in the last {} days (need {})',
                                  coalesce(v.cpu_days, 0), coalesce(v.net_days, 0), getvariable('lookback_days'), getvariable('min_days'))
    when v.network_mbps is null
      then format('size {} is not in the bundled size table ({}): no bandwidth to judge network use against', coalesce(v.size, '(absent)'), vm_size_table_date())
    when v.hourly_price is null
      then format('idle: P95 of daily max CPU {}% (< {}%), network {}% of {} Mbps (< {}%); savings unknown: no price for {} in {} in the price sheet{}',
                  round(v.cpu_p95_of_max_pct, 2), getvariable('cpu_max_p95_pct'), round(v.net_pct, 3), v.network_mbps,
                  getvariable('network_max_pct'), v.size, v.location, coalesce(' of ' || ps.sheet_date, ''))
    else format('idle: P95 of daily max CPU {}% (< {}%), network {}% of {} Mbps (< {}%)',
                round(v.cpu_p95_of_max_pct, 2), getvariable('cpu_max_p95_pct'), round(v.net_pct, 3), v.network_mbps,
                getvariable('network_max_pct'))
  end as reason,
  json_object('cpu_days', v.cpu_days, 'cpu_p95_of_daily_max_pct', v.cpu_p95_of_max_pct, 'network_days', v.net_days,
              'network_p95_of_daily_max_mbps', v.net_p95_of_max_mbps, 'network_pct_of_bandwidth', v.net_pct,
              'bandwidth_mbps', v.network_mbps, 'lookback_days', getvariable('lookback_days'),
              'size_table_date', vm_size_table_date()) as evidence
from vm v, price_sheet() ps
where not v.enough or v.network_mbps is null
   or (v.cpu_p95_of_max_pct < getvariable('cpu_max_p95_pct') and v.net_pct < getvariable('network_max_pct'))
