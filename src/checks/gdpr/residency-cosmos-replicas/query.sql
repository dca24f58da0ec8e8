-- Every replica region of a Cosmos DB account against the tenant's geographies (src/checks/regions.sql).
with accounts as (
  select id, tenant_id, properties->'$.locations' as locations
  from resources
  where type = 'microsoft.documentdb/databaseaccounts' and tenant_id is not null
),
replicas as (
  select a.id, region_name(l->>'$.locationName') as region, g.geography
  from (select id, unnest(from_json(locations, '["json"]')) as l from accounts where json_type(locations) = 'ARRAY') a
  left join azure_regions() g on g.region = region_name(a.l->>'$.locationName')
),
judged as (
  select a.id, a.tenant_id, t.regions, t.geographies, t.unknown_regions,
         count(r.id) as replica_count,
         count(r.id) filter (where r.geography is null) as unknown_replicas,
         count(r.id) filter (where r.geography is not null and not list_contains(t.geographies, r.geography)) as outside,
         coalesce(list(coalesce(r.region, 'no region name') || ' (' || coalesce(r.geography, 'geography not known') || ')' order by r.region)
                    filter (where r.id is not null), []) as described
  from accounts a
  left join tenant_residency() t on t.tenant_id = a.tenant_id
  left join replicas r on r.id = a.id
  group by all
)
select id as resource_id, tenant_id,
       case
         when coalesce(len(regions), 0) = 0 or len(unknown_regions) > 0 then 'error'
         when replica_count = 0 or unknown_replicas > 0 then 'error'
         when outside > 0 then 'fail'
         else 'pass'
       end as status,
       case
         when coalesce(len(regions), 0) = 0 then 'tenant ' || tenant_id || ' has no regions configured (tenants[].regions): residency cannot be judged'
         when len(unknown_regions) > 0 then 'tenant regions not in the region table: ' || array_to_string(unknown_regions, ', ')
         when replica_count = 0 then 'replica regions (properties.locations) not known'
         when unknown_replicas > 0 then 'replicates to ' || array_to_string(described, ', ')
         when outside > 0 then 'replicates to ' || array_to_string(described, ', ') || ', outside the tenant''s geographies (' || array_to_string(geographies, ', ') || ')'
         else 'replicates to ' || array_to_string(described, ', ') || ', inside the tenant''s geographies'
       end as reason,
       json_object('replicas', described, 'tenant_regions', regions, 'tenant_geographies', geographies) as evidence
from judged
