-- Only a default Deny limits the account to the networks that were explicitly allowed.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.networkAcls.defaultAction') as val
  from resources
  where type = 'microsoft.storage/storageaccounts'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'deny' then 'pass'
    when val = 'allow' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'deny' then 'firewall default action is Deny'
    when val = 'allow' then 'firewall default action is Allow: any network may connect'
    when val is null then 'networkAcls.defaultAction is absent'
    else format('unrecognised networkAcls.defaultAction value {}', properties->>'$.networkAcls.defaultAction')
  end as reason,
  json_object(
    'networkAcls.defaultAction', properties->'$.networkAcls.defaultAction',
    'bypass', properties->'$.networkAcls.bypass',
    'ipRules', json_array_length(properties->'$.networkAcls.ipRules'),
    'virtualNetworkRules', json_array_length(properties->'$.networkAcls.virtualNetworkRules')
  ) as evidence
from v
