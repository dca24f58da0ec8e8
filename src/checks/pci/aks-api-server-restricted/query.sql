-- Private, or public with an allow-list that is not the whole internet; ARM drops the profile when neither is set.
with c as (
  select id, tenant_id, properties,
         unknown_at(unknown_paths, 'properties.apiServerAccessProfile.enablePrivateCluster') as private_unknown,
         unknown_at(unknown_paths, 'properties.apiServerAccessProfile.authorizedIPRanges') as ranges_unknown,
         properties->'$.apiServerAccessProfile' as ap,
         properties->>'$.apiServerAccessProfile.enablePrivateCluster' as private_cluster,
         case when json_type(properties->'$.apiServerAccessProfile.authorizedIPRanges') = 'ARRAY'
              then from_json(properties->'$.apiServerAccessProfile.authorizedIPRanges', '["varchar"]') end as ranges
  from resources
  where type = 'microsoft.containerservice/managedclusters'
),
v as (
  select *,
         len(ranges) > 0 as has_ranges,
         len(list_filter(ranges, lambda r: trim(r) in ('0.0.0.0/0', '0.0.0.0', '*', '::/0'))) > 0 as open_range
  from c
)
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when private_cluster = 'true' then 'pass'
    when has_ranges and not open_range then 'pass'
    -- a private cluster passes whatever its ranges, so an unknown one decides nothing below
    when private_unknown then 'error'
    when open_range then 'fail'
    when ranges_unknown then 'error'
    else 'fail'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when private_cluster = 'true' then 'private cluster (enablePrivateCluster is true)'
    when has_ranges and not open_range then 'public API server restricted to ' || len(ranges) || ' authorised IP range(s)'
    when private_unknown then 'enablePrivateCluster is known only after apply'
    when open_range then 'authorizedIPRanges includes the whole internet (0.0.0.0/0)'
    when ranges_unknown then 'authorizedIPRanges is known only after apply'
    when ap is null then 'public API server open to the internet (apiServerAccessProfile is absent)'
    else 'public API server open to the internet (no authorizedIPRanges and not a private cluster)'
  end as reason,
  json_object('enablePrivateCluster', private_cluster, 'authorizedIPRanges', ranges) as evidence
from v
