-- ARM omits publicIPAddressConfiguration on an IP configuration without one; a configuration without properties, or
-- one whose public address is known only after apply, cannot be judged.
with sets as (
  select id, tenant_id,
         unknown_at(unknown_paths, 'properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[*].properties.ipConfigurations[*].properties.publicIPAddressConfiguration') as pip_unknown,
         coalesce(cast(json_extract(properties, '$.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[*]') as json[]), []) as nics
  from resources
  where type = 'microsoft.compute/virtualmachinescalesets'
),
configs as (
  select id, tenant_id, pip_unknown,
         flatten(list_transform(nics, n -> list_transform(
           coalesce(cast(json_extract(n, '$.properties.ipConfigurations[*]') as json[]), []),
           c -> {'name': coalesce(n->>'$.name', '(unnamed)') || '/' || coalesce(c->>'$.name', '(unnamed)'),
                 'has_props': coalesce(json_type(c->'$.properties') = 'OBJECT', false),
                 'public': (c->'$.properties.publicIPAddressConfiguration') is not null}))) as ips
  from sets
)
select
  id as resource_id,
  tenant_id,
  case
    when len(list_filter(ips, c -> c.public)) > 0 then 'fail'
    when len(ips) = 0 then 'error'
    when len(list_filter(ips, c -> not c.has_props)) > 0 or pip_unknown then 'error'
    else 'pass'
  end as status,
  case
    when len(list_filter(ips, c -> c.public)) > 0 then 'instances get a public IP address through IP configuration(s): '
      || array_to_string(list_sort(list_transform(list_filter(ips, c -> c.public), c -> c.name)), ', ')
    when len(ips) = 0 then 'networkProfile.networkInterfaceConfigurations lists no IP configuration'
    when len(list_filter(ips, c -> not c.has_props)) > 0 then 'properties absent on IP configuration(s): '
      || array_to_string(list_sort(list_transform(list_filter(ips, c -> not c.has_props), c -> c.name)), ', ')
    when pip_unknown then 'publicIPAddressConfiguration is known only after apply'
    else 'no public IP address on any of ' || len(ips) || ' IP configuration(s)'
  end as reason,
  json_object('publicIpConfigurations', list_transform(list_filter(ips, c -> c.public), c -> c.name),
              'ipConfigurations', len(ips)) as evidence
from configs
