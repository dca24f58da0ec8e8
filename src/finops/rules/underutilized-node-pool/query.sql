-- Node pools whose average CPU and memory use both stay under avg_max_pct.
with pool as (
  select r.id, r.tenant_id, r.location, json_extract_string(r.tags, '$."aks-managed-poolName"') as pool_name,
         r.sku->>'$.name' as size, coalesce(try_cast(r.sku->>'$.capacity' as integer), 0) as nodes,
         s.memory_gib,
         vm_hourly_price(r.sku->>'$.name', r.location, 'linux') as hourly_price,
         cpu.days as cpu_days, cpu.avg as cpu_avg_pct,
         mem.days as mem_days, 100 * (1 - mem.avg / (s.memory_gib * 1024 ^ 3)) as mem_avg_pct,
         greatest(cpu_avg_pct, mem_avg_pct) as used_pct,
         coalesce(cpu.days, 0) >= getvariable('min_days') and coalesce(mem.days, 0) >= getvariable('min_days') as enough,
         greatest(getvariable('min_nodes'), ceil(nodes * used_pct / getvariable('target_pct')))::integer as proposed_nodes
  from resources r
  left join vm_sizes() s on lower(s.name) = lower(r.sku->>'$.name')
  left join metric_window(getvariable('today'), getvariable('lookback_days')) cpu
    on cpu.resource_id = lower(r.id) and cpu.metric = 'Percentage CPU'
  left join metric_window(getvariable('today'), getvariable('lookback_days')) mem
    on mem.resource_id = lower(r.id) and mem.metric = 'Available Memory Bytes'
  where r.type = 'microsoft.compute/virtualmachinescalesets' and r.origin <> 'plan'
    and json_extract_string(r.tags, '$."aks-managed-poolName"') is not null
)
select
  p.id as resource_id,
  p.tenant_id,
  if(p.enough and p.memory_gib is not null, 'recommend', 'not-enough-data') as status,
  json_object('pool', p.pool_name, 'vm_size', p.size, 'nodes', p.nodes, 'hourly_price', p.hourly_price) as current,
  json_object('nodes', p.proposed_nodes, 'utilisation_pct', round(p.used_pct * p.nodes / p.proposed_nodes, 1)) as proposed,
  round((p.nodes - p.proposed_nodes) * p.hourly_price * 730, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  if(least(p.cpu_days, p.mem_days) >= getvariable('lookback_days'), 'high', 'medium') as confidence,
  case
    when p.memory_gib is null then format('size {} is not in the bundled size table ({})', coalesce(p.size, '(absent)'), vm_size_table_date())
    when not p.enough then format('not enough data: {} days of CPU and {} days of memory samples in the last {} days (need {})',
                                  coalesce(p.cpu_days, 0), coalesce(p.mem_days, 0), getvariable('lookback_days'), getvariable('min_days'))
    when p.hourly_price is null
      then format('pool {} averages {}% CPU and {}% memory on {} nodes (under {}%): {} nodes suffice; savings unknown: no price for {} in {} in the price sheet{}',
                  p.pool_name, round(p.cpu_avg_pct, 1), round(p.mem_avg_pct, 1), p.nodes, getvariable('avg_max_pct'), p.proposed_nodes,
                  p.size, p.location, coalesce(' of ' || ps.sheet_date, ''))
    else format('pool {} averages {}% CPU and {}% memory on {} nodes (under {}%): {} nodes suffice', p.pool_name,
                round(p.cpu_avg_pct, 1), round(p.mem_avg_pct, 1), p.nodes, getvariable('avg_max_pct'), p.proposed_nodes)
  end as reason,
  json_object('cpu_days', p.cpu_days, 'cpu_avg_pct', p.cpu_avg_pct, 'memory_days', p.mem_days, 'memory_avg_pct', p.mem_avg_pct,
              'lookback_days', getvariable('lookback_days'), 'target_pct', getvariable('target_pct'),
              'size_table_date', vm_size_table_date()) as evidence
from pool p, price_sheet() ps
where not p.enough or p.memory_gib is null
   or (p.used_pct < getvariable('avg_max_pct') and p.proposed_nodes < p.nodes)
