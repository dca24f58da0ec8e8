-- The secondary of each geo-redundant account against the tenant's geographies (src/checks/regions.sql).
with accounts as (
  select s.id, s.tenant_id, s.location, s.sku->>'$.name' as sku_name,
         -- the table's pair stands in for an absent secondaryLocation, not for one known only after apply
         case when not unknown_at(s.unknown_paths, 'properties.secondaryLocation')
              then coalesce(region_name(s.properties->>'$.secondaryLocation'), region_pair(s.location)) end as secondary,
         t.regions, t.geographies, t.unknown_regions
  from resources s
  left join tenant_residency() t on t.tenant_id = s.tenant_id
  where s.type = 'microsoft.storage/storageaccounts' and s.tenant_id is not null
),
judged as (
  select *, regexp_matches(upper(coalesce(sku_name, '')), 'G(Z)?RS$') as geo, region_geography(secondary) as secondary_geography
  from accounts
)
select id as resource_id, tenant_id,
       case
         when coalesce(len(regions), 0) = 0 or len(unknown_regions) > 0 then 'error'
         when sku_name is null then 'error'
         when not geo then 'pass'
         when secondary_geography is null then 'error'
         when list_contains(geographies, secondary_geography) then 'pass'
         else 'fail'
       end as status,
       case
         when coalesce(len(regions), 0) = 0 then 'tenant ' || tenant_id || ' has no regions configured (tenants[].regions): residency cannot be judged'
         when len(unknown_regions) > 0 then 'tenant regions not in the region table: ' || array_to_string(unknown_regions, ', ')
         when sku_name is null then 'replication (sku.name) not known'
         when not geo then sku_name || ' keeps data in ' || coalesce(location, 'its region')
         when secondary_geography is null then sku_name || ' replicates to a secondary region not known (location ' || coalesce(location, 'not known') || ', secondary ' || coalesce(secondary, 'not known') || ')'
         when list_contains(geographies, secondary_geography) then sku_name || ' replicates to ' || secondary || ' (' || secondary_geography || '), inside the tenant''s geographies'
         else sku_name || ' replicates to ' || secondary || ' (' || secondary_geography || '), outside the tenant''s geographies (' || array_to_string(geographies, ', ') || ')'
       end as reason,
       json_object('sku', sku_name, 'location', location, 'secondary', secondary, 'secondary_geography', secondary_geography,
                   'tenant_regions', regions, 'tenant_geographies', geographies) as evidence
from judged
