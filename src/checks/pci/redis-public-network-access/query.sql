-- A VNet-injected cache has only a private address, whatever publicNetworkAccess says. ARM documents Enabled as
-- the default of an absent publicNetworkAccess, so a cache with neither fails, unless either is known only after apply.
with v as (
  select
    id,
    tenant_id,
    lower(properties->>'$.publicNetworkAccess') as pna,
    nullif(properties->>'$.subnetId', '') as subnet_id,
    unknown_at(unknown_paths, 'properties.subnetId') as subnet_unknown,
    pna is null and json_type(properties) = 'OBJECT'
      and not unknown_at(unknown_paths, 'properties.publicNetworkAccess') as pna_default
  from resources
  where type = 'microsoft.cache/redis'
)
select
  id as resource_id,
  tenant_id,
  case
    when pna = 'disabled' or subnet_id is not null then 'pass'
    when (pna = 'enabled' or pna_default) and not subnet_unknown then 'fail'
    else 'error'
  end as status,
  case
    when pna = 'disabled' then 'public network access is disabled'
    when subnet_id is not null then 'the cache is injected into a virtual network'
    when pna = 'enabled' and not subnet_unknown then 'public network access is enabled'
    when pna_default and not subnet_unknown
      then 'publicNetworkAccess and subnetId are absent: public network access is enabled by default'
    when pna = 'enabled' or pna_default then 'subnetId is known only after apply'
    when pna is null then 'publicNetworkAccess and subnetId are absent'
    else format('unrecognised publicNetworkAccess value {}', pna)
  end as reason,
  json_object('publicNetworkAccess', pna, 'subnetId', subnet_id) as evidence
from v
