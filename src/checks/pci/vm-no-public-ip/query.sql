-- ARM omits publicIPAddress on an IP configuration without one; a configuration without properties cannot be judged.
with nics as (
  select id, tenant_id, properties,
         coalesce(json_type(properties->'$.ipConfigurations') = 'ARRAY', false) as has_configs,
         unknown_at(unknown_paths, 'properties.ipConfigurations[*].properties.publicIPAddress') as public_ip_unknown
  from resources
  where type = 'microsoft.network/networkinterfaces'
),
configs as (
  select id as nic, public_ip_unknown, c->>'$.name' as config,
         c->'$.properties' as p,
         nullif(c->>'$.properties.publicIPAddress.id', '') as public_ip
  from (select id, public_ip_unknown, unnest(from_json(properties->'$.ipConfigurations', '["json"]')) as c from nics where has_configs)
),
agg as (
  select n.id, n.tenant_id, n.has_configs,
         n.properties->>'$.virtualMachine.id' as vm,
         count(c.nic) as n_configs,
         -- ordered by configuration name (values_by_key in src/checks/macros.sql)
         values_by_key(list({'key': c.config, 'value': json_object('ipConfiguration', c.config, 'publicIPAddressId', c.public_ip)})
           filter (where c.public_ip is not null)) as public_configs,
         values_by_key(list({'key': c.config, 'value': coalesce(c.config, '(unnamed)')})
           filter (where c.nic is not null and (c.p is null or json_type(c.p) <> 'OBJECT'
                                                or (c.public_ip is null and c.public_ip_unknown)))) as unknown_configs
  from nics n left join configs c on c.nic = n.id
  group by n.id, n.tenant_id, n.has_configs, n.properties->>'$.virtualMachine.id'
)
select
  id as resource_id,
  tenant_id,
  case
    when len(coalesce(public_configs, [])) > 0 then 'fail'
    when not has_configs or n_configs = 0 then 'error'
    when len(coalesce(unknown_configs, [])) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(coalesce(public_configs, [])) > 0 then 'public IP address attached to ' || len(public_configs) || ' IP configuration(s)'
      || coalesce(' of VM ' || regexp_extract(vm, '[^/]+$'), '')
    when not has_configs or n_configs = 0 then 'ipConfigurations is absent'
    when len(coalesce(unknown_configs, [])) > 0 then 'properties absent or publicIPAddress known only after apply on IP configuration(s): ' || array_to_string(unknown_configs, ', ')
    else 'no public IP address on any of ' || n_configs || ' IP configuration(s)'
  end as reason,
  json_object('virtualMachineId', vm, 'publicIpConfigurations', public_configs, 'undeterminedConfigurations', unknown_configs) as evidence
from agg
