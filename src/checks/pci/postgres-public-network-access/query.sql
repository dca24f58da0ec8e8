-- Disabled is the only value that keeps the server off the internet.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.network.publicNetworkAccess') as val
  from resources
  where type = 'microsoft.dbforpostgresql/flexibleservers'
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
    when val is null then 'network.publicNetworkAccess is absent'
    else format('unrecognised network.publicNetworkAccess value {}', properties->>'$.network.publicNetworkAccess')
  end as reason,
  json_object(
    'network.publicNetworkAccess', properties->'$.network.publicNetworkAccess',
    'delegatedSubnetResourceId', properties->'$.network.delegatedSubnetResourceId'
  ) as evidence
from v
