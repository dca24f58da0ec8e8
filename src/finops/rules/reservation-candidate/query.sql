-- Every one of the last days_required days run in full, by cost hours or metric sample coverage.
with vm as (
  select * from finops_vms() where coalesce(power_state, 'running') = 'running'
),
days as (
  select vm.id, d::date as day
  from vm, range(cast(getvariable('today') as date) - cast(getvariable('days_required') as integer) + 1,
                 cast(getvariable('today') as date) + 1, interval 1 day) as r(d)
),
cost_days as (
  select lower(ResourceId) as resource_id, cast(ChargePeriodStart as date) as day,
         sum(PricingQuantity) filter (where PricingUnit ilike '%hour%') as hours,
         count(CommitmentDiscountId) as committed
  -- only the VMs' own rows: grouping every cost row by resource and day would cost more than the rule
  from costs where lower(ResourceId) in (select lower(id) from vm) group by all
),
metric_days as (
  select lower(resource_id) as resource_id, day, sum(samples) as samples
  from metrics where metric = 'Percentage CPU' group by all
),
per_vm as (
  select d.id,
         count(*) filter (where c.day is null and m.day is null) as unknown_days,
         count(*) filter (where coalesce(c.hours, 0) >= 24 * getvariable('coverage_pct') / 100
                             or coalesce(m.samples, 0) >= getvariable('samples_per_day') * getvariable('coverage_pct') / 100) as full_days,
         coalesce(sum(c.committed), 0) as committed_rows,
         count(c.day) as cost_days, count(m.day) as metric_days
  from days d
  left join cost_days c on c.resource_id = lower(d.id) and c.day = d.day
  left join metric_days m on m.resource_id = lower(d.id) and m.day = d.day
  group by d.id
),
judged as (
  select vm.*, p.unknown_days, p.full_days, p.committed_rows, p.cost_days, p.metric_days,
         vm_reservation_1y_price(vm.size, vm.location) as reservation_1y_price
  from vm join per_vm p on p.id = vm.id
  where p.committed_rows = 0
)
select
  j.id as resource_id,
  j.tenant_id,
  if(j.unknown_days > 0, 'not-enough-data', 'recommend') as status,
  json_object('vm_size', j.size, 'pricing', 'pay-as-you-go', 'hourly_price', j.hourly_price) as current,
  json_object('pricing', 'reservation', 'term', '1 year', 'term_price', j.reservation_1y_price) as proposed,
  round(j.hourly_price * 730 - j.reservation_1y_price / 12, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  'medium' as confidence,
  case
    when j.unknown_days > 0 then format('not enough data: {} of the last {} days have neither cost nor CPU metric rows',
                                        j.unknown_days, getvariable('days_required'))
    when j.hourly_price is null or j.reservation_1y_price is null
      then format('{} ran around the clock for {} days; savings unknown: no {} price for {} in {} in the price sheet{}', j.size,
                  getvariable('days_required'), if(j.hourly_price is null, 'pay-as-you-go', 'one-year reservation'), j.size, j.location,
                  coalesce(' of ' || ps.sheet_date, ''))
    else format('{} ran around the clock for {} days: a one-year reservation costs less', j.size, getvariable('days_required'))
  end as reason,
  json_object('days_required', getvariable('days_required'), 'full_days', j.full_days, 'unknown_days', j.unknown_days,
              'days_with_cost_rows', j.cost_days, 'days_with_metric_rows', j.metric_days) as evidence
from judged j, price_sheet() ps
where j.unknown_days > 0 or j.full_days = getvariable('days_required')
