-- ARM leaves networkSecurityGroup out of a subnet with no NSG, so absence inside reported properties is a fail.
with subnets as (
  select id, tenant_id, properties,
         regexp_extract(coalesce(name, id), '[^/]+$') as subnet_name,
         properties->>'$.networkSecurityGroup.id' as nsg_id,
         unknown_at(unknown_paths, 'properties.networkSecurityGroup.id') as nsg_unknown
  from resources
  where type = 'microsoft.network/virtualnetworks/subnets'
)
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when nsg_id is not null and nsg_id <> '' then 'pass'
    when nsg_unknown then 'error'
    else 'fail'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when nsg_id is not null and nsg_id <> '' then 'network security group ' || regexp_extract(nsg_id, '[^/]+$') || ' is associated'
    when nsg_unknown then 'the associated network security group is known only after apply'
    else 'no network security group is associated (networkSecurityGroup.id is absent)'
  end as reason,
  json_object('subnet', subnet_name, 'networkSecurityGroupId', nsg_id) as evidence
from subnets
-- Azure rejects or manages NSGs on these platform subnets; they are exempt by name.
where lower(subnet_name) not in ('gatewaysubnet', 'azurefirewallsubnet', 'azurefirewallmanagementsubnet',
                                 'routeserversubnet', 'azurebastionsubnet')
