-- Disks that report Unattached, priced by their billing tier.
with d as (
  select id, tenant_id, location, sku->>'$.name' as sku_name,
         try_cast(properties->>'$.diskSizeGB' as integer) as size_gb,
         properties->>'$.diskState' as disk_state,
         try_cast(properties->>'$.timeCreated' as timestamptz) as created,
         date_diff('day', cast(created as date), cast(getvariable('today') as date)) as age_days,
         disk_tier(sku_name, size_gb) as tier,
         disk_monthly_price(tier, location) as monthly_price
  from resources
  where type = 'microsoft.compute/disks' and origin <> 'plan'
)
select
  d.id as resource_id,
  d.tenant_id,
  if(d.disk_state is null, 'not-enough-data', 'recommend') as status,
  json_object('disk_state', d.disk_state, 'sku', d.sku_name, 'size_gb', d.size_gb, 'tier', d.tier,
              'monthly_price', d.monthly_price) as current,
  json_object('state', 'deleted') as proposed,
  round(d.monthly_price, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  if(coalesce(d.age_days, 0) >= 30, 'high', 'medium') as confidence,
  case
    when d.disk_state is null then 'not enough data: diskState is absent'
    when d.monthly_price is null
      then format('unattached {} disk of {} GB; savings unknown: no price for {} in {} in the price sheet{}',
                  coalesce(d.sku_name, '(unknown sku)'), d.size_gb, coalesce(d.tier, d.sku_name || ' (billed per GiB and IOPS)'),
                  d.location, coalesce(' of ' || ps.sheet_date, ''))
    else format('unattached {} disk of {} GB ({}), created {} days ago', d.sku_name, d.size_gb, d.tier, d.age_days)
  end as reason,
  json_object('diskState', d.disk_state, 'timeCreated', d.created, 'age_days', d.age_days, 'diskSizeGB', d.size_gb,
              'sku', d.sku_name) as evidence
from d, price_sheet() ps
where d.disk_state is null
   or (d.disk_state = 'Unattached' and (d.age_days is null or d.age_days >= getvariable('min_age_days')))
