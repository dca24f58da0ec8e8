-- The paired region a vault's contents replicate to, against the tenant's geographies (src/checks/regions.sql, whose
-- every pair is a row of its own: test/region-table.test.ts).
with vaults as (
  select v.id, v.tenant_id, v.location, a.region as known_region, a.pair, p.geography as pair_geography,
         t.regions, t.geographies, t.unknown_regions
  from resources v
  left join azure_regions() a on a.region = region_name(v.location)
  left join azure_regions() p on p.region = a.pair
  left join tenant_residency() t on t.tenant_id = v.tenant_id
  where v.type = 'microsoft.keyvault/vaults' and v.tenant_id is not null
)
select id as resource_id, tenant_id,
       case
         when coalesce(len(regions), 0) = 0 or len(unknown_regions) > 0 then 'error'
         when known_region is null then 'error'
         when pair is null then 'pass'
         when list_contains(geographies, pair_geography) then 'pass'
         else 'fail'
       end as status,
       case
         when coalesce(len(regions), 0) = 0 then 'tenant ' || tenant_id || ' has no regions configured (tenants[].regions): residency cannot be judged'
         when len(unknown_regions) > 0 then 'tenant regions not in the region table: ' || array_to_string(unknown_regions, ', ')
         when known_region is null then 'region not known (location ' || coalesce(location, 'absent') || ')'
         when pair is null then known_region || ' has no paired region: contents stay in region'
         when list_contains(geographies, pair_geography) then 'contents replicate to ' || pair || ' (' || pair_geography || '), inside the tenant''s geographies'
         else 'contents replicate to ' || pair || ' (' || pair_geography || '), outside the tenant''s geographies (' || array_to_string(geographies, ', ') || ')'
       end as reason,
       json_object('location', location, 'paired_region', pair, 'paired_geography', pair_geography,
                   'tenant_regions', regions, 'tenant_geographies', geographies) as evidence
from vaults
