-- Only Disabled keeps the server off the internet; firewall rules are a separate check.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.publicNetworkAccess') as val
  from resources
  where type = 'microsoft.sql/servers'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'disabled' then 'pass'
    when val = 'enabled' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'disabled' then 'public network access is disabled'
    when val = 'enabled' then 'public network access is enabled'
    when val is null then 'publicNetworkAccess is absent'
    else format('unrecognised publicNetworkAccess value {}', properties->>'$.publicNetworkAccess')
  end as reason,
  json_object(
    'publicNetworkAccess', properties->'$.publicNetworkAccess'
  ) as evidence
from v
