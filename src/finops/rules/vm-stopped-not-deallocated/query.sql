-- Stopped, not deallocated: compute is still billed.
select
  v.id as resource_id,
  v.tenant_id,
  if(v.power_state is null, 'not-enough-data', 'recommend') as status,
  json_object('vm_size', v.size, 'power_state', v.power_state, 'hourly_price', v.hourly_price) as current,
  json_object('power_state', 'deallocated') as proposed,
  round(v.hourly_price * 730, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  'high' as confidence,
  case
    when v.power_state is null then 'not enough data: the power state (properties.extended.instanceView.powerState) is absent'
    when v.hourly_price is null
      then format('stopped but still allocated: compute is billed; savings unknown: no price for {} in {} in the price sheet{}',
                  coalesce(v.size, '(absent size)'), v.location, coalesce(' of ' || ps.sheet_date, ''))
    else format('stopped but still allocated: {} compute is billed while it does nothing', v.size)
  end as reason,
  json_object('powerState', v.properties->>'$.extended.instanceView.powerState.code', 'vmSize', v.size) as evidence
from finops_vms() v, price_sheet() ps
where v.power_state is null or v.power_state = 'stopped'
