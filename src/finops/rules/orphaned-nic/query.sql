-- Network interfaces no VM, private endpoint or private link service uses.
select
  id as resource_id,
  tenant_id,
  if(properties is null, 'not-enough-data', 'recommend') as status,
  json_object('ip_configurations', json_array_length(properties->'$.ipConfigurations'),
              'private_ip', properties->>'$.ipConfigurations[0].properties.privateIPAddress') as current,
  json_object('state', 'deleted') as proposed,
  null::decimal(18, 2) as monthly_savings,
  null::varchar as currency,
  null::date as price_sheet_date,
  'high' as confidence,
  if(properties is null, 'not enough data: properties are absent',
     'network interface attached to no VM, private endpoint or private link service; savings not estimated: network interfaces carry no charge')
    as reason,
  json_object('virtualMachine', properties->'$.virtualMachine', 'privateEndpoint', properties->'$.privateEndpoint',
              'privateLinkService', properties->'$.privateLinkService',
              'ipConfigurations', properties->'$.ipConfigurations[*].id') as evidence
from resources
where type = 'microsoft.network/networkinterfaces' and origin <> 'plan'
  and (properties is null
       or (json_absent(properties->'$.virtualMachine') and json_absent(properties->'$.privateEndpoint')
           and json_absent(properties->'$.privateLinkService')))
