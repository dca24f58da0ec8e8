-- A VNet-injected cache has only a private address, whatever publicNetworkAccess says.
with v as (
  select
    id,
    tenant_id,
    lower(properties->>'$.publicNetworkAccess') as pna,
    nullif(properties->>'$.subnetId', '') as subnet_id,
    unknown_at(unknown_paths, 'properties.subnetId') as subnet_unknown
  from resources
  where type = 'microsoft.cache/redis'
)
select
  id as resource_id,
  tenant_id,
  case
    when pna = 'disabled' or subnet_id is not null then 'pass'
    when pna = 'enabled' and not subnet_unknown then 'fail'
    else 'error'
  end as status,
  case
    when pna = 'disabled' then 'public network access is disabled'
    when subnet_id is not null then 'the cache is injected into a virtual network'
    when pna = 'enabled' and not subnet_unknown then 'public network access is enabled'
    when pna = 'enabled' then 'subnetId is known only after apply'
    when pna is null then 'publicNetworkAccess and subnetId are absent'
    else format('unrecognised publicNetworkAccess value {}', pna)
  end as reason,
  json_object('publicNetworkAccess', pna, 'subnetId', subnet_id) as evidence
from v
