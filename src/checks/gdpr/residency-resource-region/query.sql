-- Each located resource of a tenant against the tenant's regions (tenant_residency in src/checks/regions.sql).
with subjects as (
  select r.id, r.tenant_id, r.location, region_name(r.location) as region, t.regions,
         coalesce(list_contains(r.unknown_paths, 'location'), false) as location_unknown
  from resources r
  left join tenant_residency() t on t.tenant_id = r.tenant_id
  where r.tenant_id is not null and (r.location is not null or list_contains(r.unknown_paths, 'location'))
)
select id as resource_id, tenant_id,
       case
         when coalesce(len(regions), 0) = 0 then 'error'
         when location_unknown or region is null then 'error'
         when region = 'global' then 'pass'
         when list_contains(regions, region) then 'pass'
         else 'fail'
       end as status,
       case
         when coalesce(len(regions), 0) = 0 then 'tenant ' || tenant_id || ' has no regions configured (tenants[].regions): residency cannot be judged'
         when location_unknown or region is null then 'location not known'
         when region = 'global' then 'non-regional resource (location global): excepted from residency, listed for review'
         when list_contains(regions, region) then 'in ' || region || ', one of the tenant''s regions (' || array_to_string(regions, ', ') || ')'
         else 'in ' || region || ', outside the tenant''s regions (' || array_to_string(regions, ', ') || ')'
       end as reason,
       json_object('location', location, 'tenant_regions', regions) as evidence
from subjects
