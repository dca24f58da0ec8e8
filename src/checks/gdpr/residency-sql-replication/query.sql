-- Databases' geo-backup destination and failover groups' partners against the tenant's geographies
-- (src/checks/regions.sql).
with databases as (
  select d.id, d.tenant_id, coalesce(d.location, s.location) as location,
         coalesce(d.properties->>'$.requestedBackupStorageRedundancy', d.properties->>'$.currentBackupStorageRedundancy') as redundancy
  from resources d
  left join resources s on s.id = d.parent_id and s.type = 'microsoft.sql/servers'
  where d.type = 'microsoft.sql/servers/databases' and d.tenant_id is not null and coalesce(lower(d.name), '') <> 'master'
),
database_targets as (
  select *, case when lower(redundancy) in ('geo', 'geozone') then region_pair(location) end as target,
         lower(redundancy) in ('geo', 'geozone') as geo, lower(redundancy) in ('local', 'zone') as in_region
  from databases
),
groups as (
  select id, tenant_id, properties->'$.partnerServers' as partners
  from resources
  where type = 'microsoft.sql/servers/failovergroups' and tenant_id is not null
),
partner_locations as (
  select g.id, region_name(coalesce(p->>'$.location', ps.location)) as partner_region, p->>'$.id' as partner_id
  from (select id, unnest(from_json(partners, '["json"]')) as p from groups where json_type(partners) = 'ARRAY') g
  left join resources ps on lower(ps.id) = lower(g.p->>'$.id') and ps.type = 'microsoft.sql/servers'
),
group_targets as (
  select g.id, g.tenant_id,
         coalesce(list(pl.partner_region order by pl.partner_id) filter (where pl.id is not null), []) as targets,
         count(pl.id) filter (where pl.partner_region is null) as unknown_partners
  from groups g left join partner_locations pl on pl.id = g.id
  group by g.id, g.tenant_id
),
subjects as (
  select d.id, d.tenant_id, 'database' as kind, d.redundancy, d.location,
         case when d.geo then [d.target] when d.in_region then [] end as targets
  from database_targets d
  union all
  select id, tenant_id, 'failover group', null, null, case when unknown_partners = 0 then targets end from group_targets
),
-- each replication target with its geography (null: a region the table does not know, or none)
target_geographies as (
  select s.id, s.target, a.geography
  from (select id, unnest(targets) as target from subjects) s
  left join azure_regions() a on a.region = s.target
),
judged as (
  select s.*, t.regions, t.geographies, t.unknown_regions,
         coalesce(list(coalesce(g.target, 'no paired region') || ' (' || coalesce(g.geography, 'geography not known') || ')' order by g.target)
                    filter (where g.id is not null), []) as described,
         count(g.id) filter (where g.geography is null) as unknown_targets,
         count(g.id) filter (where g.geography is not null and not list_contains(t.geographies, g.geography)) as outside
  from subjects s
  left join tenant_residency() t on t.tenant_id = s.tenant_id
  left join target_geographies g on g.id = s.id
  group by all
)
select id as resource_id, tenant_id,
       case
         when coalesce(len(regions), 0) = 0 or len(unknown_regions) > 0 then 'error'
         when targets is null then 'error'
         when kind = 'failover group' and len(targets) = 0 then 'error'
         when unknown_targets > 0 then 'error'
         when outside > 0 then 'fail'
         else 'pass'
       end as status,
       case
         when coalesce(len(regions), 0) = 0 then 'tenant ' || tenant_id || ' has no regions configured (tenants[].regions): residency cannot be judged'
         when len(unknown_regions) > 0 then 'tenant regions not in the region table: ' || array_to_string(unknown_regions, ', ')
         when kind = 'database' and targets is null then 'backup storage redundancy not known' || coalesce(' (' || redundancy || ')', '')
         when targets is null then 'a partner server''s region is not known'
         when kind = 'failover group' and len(targets) = 0 then 'failover group partners not known'
         when unknown_targets > 0 then kind || ' replicates to ' || array_to_string(described, ', ')
         when outside > 0 then kind || ' replicates to ' || array_to_string(described, ', ') || ', outside the tenant''s geographies (' || array_to_string(geographies, ', ') || ')'
         when len(targets) = 0 then redundancy || ' backups stay in ' || coalesce(location, 'the region')
         else kind || ' replicates to ' || array_to_string(described, ', ') || ', inside the tenant''s geographies'
       end as reason,
       json_object('kind', kind, 'backup_storage_redundancy', redundancy, 'location', location, 'replicates_to', targets,
                   'tenant_regions', regions, 'tenant_geographies', geographies) as evidence
from judged
