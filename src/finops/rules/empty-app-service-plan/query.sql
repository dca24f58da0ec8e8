-- Paid plans hosting no app.
with plan as (
  select id, tenant_id, location, properties,
         sku->>'$.name' as size, sku->>'$.tier' as tier,
         coalesce(try_cast(sku->>'$.capacity' as integer), 1) as instances,
         try_cast(properties->>'$.numberOfSites' as integer) as sites,
         coalesce(properties->>'$.reserved', 'false') = 'true' as linux,
         app_service_hourly_price(size, location, linux) as hourly_price
  from resources
  where type = 'microsoft.web/serverfarms' and origin <> 'plan'
    and lower(coalesce(sku->>'$.tier', '')) not in ('free', 'shared', 'dynamic')
)
select
  p.id as resource_id,
  p.tenant_id,
  if(p.sites is null, 'not-enough-data', 'recommend') as status,
  json_object('size', p.size, 'tier', p.tier, 'instances', p.instances, 'linux', p.linux, 'hourly_price', p.hourly_price) as current,
  json_object('state', 'deleted') as proposed,
  round(p.hourly_price * p.instances * 730, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  'high' as confidence,
  case
    when p.sites is null then 'not enough data: numberOfSites is absent'
    when p.hourly_price is null
      then format('{} plan of {} instance(s) hosts no app; savings unknown: no price for {} in {} in the price sheet{}',
                  p.size, p.instances, p.size, p.location, coalesce(' of ' || ps.sheet_date, ''))
    else format('{} plan of {} instance(s) hosts no app', p.size, p.instances)
  end as reason,
  json_object('numberOfSites', p.sites, 'sku', p.size, 'capacity', p.instances, 'reserved', p.properties->'$.reserved') as evidence
from plan p, price_sheet() ps
where p.sites is null or p.sites = 0
