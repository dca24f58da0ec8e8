-- Deallocated now, and no charge for the VM itself within min_days days of cost data.
with disk_prices as (
  select lower(id) as disk_id,
         disk_monthly_price(disk_tier(sku->>'$.name', try_cast(properties->>'$.diskSizeGB' as integer)), location) as price
  from resources where type = 'microsoft.compute/disks'
),
vm as (
  select * from finops_vms() where power_state = 'deallocated'
),
coverage as (
  select lower(SubAccountId) as subscription_id, min(cast(ChargePeriodStart as date)) as first_day
  from costs group by all
),
charged as (
  select lower(ResourceId) as resource_id, max(cast(ChargePeriodStart as date)) as last_charge
  -- only the VMs' own rows: grouping every cost row by resource would cost more than the rule
  from costs where (BilledCost > 0 or EffectiveCost > 0) and lower(ResourceId) in (select lower(id) from vm) group by all
),
disk_ids as (
  select vm.id as vm_id, lower(d) as disk_id
  from vm, unnest(list_prepend(vm.properties->>'$.storageProfile.osDisk.managedDisk.id',
                               coalesce(vm.properties->>'$.storageProfile.dataDisks[*].managedDisk.id', []))) as t(d)
  where d is not null
),
disks as (
  select i.vm_id, count(*) as disks, count(p.disk_id) as collected, count(p.price) as priced,
         sum(p.price) as monthly_price, list(i.disk_id order by i.disk_id) as ids
  from disk_ids i left join disk_prices p on p.disk_id = i.disk_id
  group by i.vm_id
),
judged as (
  select vm.*, c.first_day, ch.last_charge, d.disks, d.collected, d.priced, d.monthly_price, d.ids,
         cast(getvariable('today') as date) - cast(getvariable('min_days') as integer) as since,
         coalesce(c.first_day <= since, false) as covered
  from vm
  left join coverage c on c.subscription_id = lower(vm.subscription_id)
  left join charged ch on ch.resource_id = lower(vm.id)
  left join disks d on d.vm_id = vm.id
)
select
  j.id as resource_id,
  j.tenant_id,
  if(j.covered, 'recommend', 'not-enough-data') as status,
  json_object('power_state', j.power_state, 'vm_size', j.size, 'disks', coalesce(j.disks, 0), 'disk_monthly_price', j.monthly_price) as current,
  json_object('state', 'deleted') as proposed,
  if(coalesce(j.disks, 0) = j.priced, round(j.monthly_price, 2), null) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  'high' as confidence,
  case
    when not j.covered then format('not enough data: cost data for its subscription starts {}, not on or before {}',
                                   coalesce(cast(j.first_day as varchar), 'nowhere'), j.since)
    when coalesce(j.disks, 0) = 0
      then 'deallocated with no charge since ' || j.since || '; savings unknown: its disks are not listed in storageProfile'
    when j.collected < j.disks or j.priced < j.disks
      then format('deallocated with no charge since {}; savings unknown: {} of its {} disks not collected or not priced in the price sheet{}',
                  j.since, j.disks - j.priced, j.disks, coalesce(' of ' || ps.sheet_date, ''))
    else format('deallocated with no charge since {}; its {} disks still cost every month', j.since, j.disks)
  end as reason,
  json_object('powerState', j.properties->>'$.extended.instanceView.powerState.code', 'cost_data_from', j.first_day,
              'last_charge', j.last_charge, 'disks', j.ids, 'min_days', getvariable('min_days')) as evidence
from judged j, price_sheet() ps
where not j.covered or j.last_charge is null or j.last_charge < j.since
