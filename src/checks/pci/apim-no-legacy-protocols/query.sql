-- Six switches, client side and backend side; each must be explicitly False.
with v as (
  select id, tenant_id, properties->'$.customProperties' as cp,
         list_transform(['Protocols.Tls10', 'Protocols.Tls11', 'Protocols.Ssl30',
                         'Backend.Protocols.Tls10', 'Backend.Protocols.Tls11', 'Backend.Protocols.Ssl30'],
                        k -> {'k': k, 'v': lower(json_extract_string(cp,
                               '$."Microsoft.WindowsAzure.ApiManagement.Gateway.Security.' || k || '"'))}) as sw
  from resources
  where type = 'microsoft.apimanagement/service'
)
select
  id as resource_id,
  tenant_id,
  case
    when len(list_filter(sw, s -> s.v = 'true')) > 0 then 'fail'
    when len(list_filter(sw, s -> s.v = 'false')) = 6 then 'pass'
    else 'error'
  end as status,
  case
    when len(list_filter(sw, s -> s.v = 'true')) > 0
      then 'legacy protocols enabled: ' || array_to_string(list_transform(list_filter(sw, s -> s.v = 'true'), s -> s.k), ', ')
    when len(list_filter(sw, s -> s.v = 'false')) = 6 then 'TLS 1.0, TLS 1.1 and SSL 3.0 are off towards clients and backends'
    when cp is null then 'customProperties is absent'
    else 'protocol switches not reported as False: '
         || array_to_string(list_transform(list_filter(sw, s -> s.v is distinct from 'false'), s -> s.k), ', ')
  end as reason,
  json_object('customProperties', cp) as evidence
from v
