-- Static public IPs nothing is associated with.
with ip as (
  select id, tenant_id, location, properties,
         coalesce(sku->>'$.name', 'Basic') as sku_name,
         coalesce(properties->>'$.publicIPAddressVersion', 'IPv4') as version,
         properties->>'$.publicIPAllocationMethod' as allocation,
         public_ip_hourly_price(sku_name, version, 'Static', location) as hourly_price
  from resources
  where type = 'microsoft.network/publicipaddresses' and origin <> 'plan'
)
select
  ip.id as resource_id,
  ip.tenant_id,
  if(ip.properties is null, 'not-enough-data', 'recommend') as status,
  json_object('sku', ip.sku_name, 'version', ip.version, 'allocation', ip.allocation, 'ip_address', ip.properties->>'$.ipAddress',
              'hourly_price', ip.hourly_price) as current,
  json_object('state', 'deleted') as proposed,
  round(ip.hourly_price * 730, 2) as monthly_savings,
  ps.currency,
  ps.sheet_date as price_sheet_date,
  'high' as confidence,
  case
    when ip.properties is null then 'not enough data: properties are absent'
    when ip.hourly_price is null
      then format('static {} {} public IP associated with nothing; savings unknown: no price for {} {} Static Public IP in the price sheet{}',
                  ip.sku_name, ip.version, ip.sku_name, ip.version, coalesce(' of ' || ps.sheet_date, ''))
    else format('static {} {} public IP associated with nothing', ip.sku_name, ip.version)
  end as reason,
  json_object('ipConfiguration', ip.properties->'$.ipConfiguration', 'natGateway', ip.properties->'$.natGateway',
              'publicIPAllocationMethod', ip.allocation) as evidence
from ip, price_sheet() ps
where ip.properties is null
   or (json_absent(ip.properties->'$.ipConfiguration') and json_absent(ip.properties->'$.natGateway')
       and (lower(ip.allocation) = 'static' or lower(ip.sku_name) = 'standard'))
