-- A tenant's workspaces, and every destination of its diagnostic settings, against the tenant's regions
-- (tenant_residency in src/checks/regions.sql).
with settings as (
  select id, tenant_id, properties
  from resources
  where type = 'microsoft.insights/diagnosticsettings' and tenant_id is not null
),
destinations as (
  select id, 'workspace' as kind, properties->>'$.workspaceId' as dest from settings
  union all
  select id, 'storage account', properties->>'$.storageAccountId' from settings
  union all
  -- the namespace of an Event Hubs authorisation rule: .../namespaces/<ns>/authorizationrules/<rule>
  select id, 'event hub namespace', regexp_replace(properties->>'$.eventHubAuthorizationRuleId', '/authorizationrules/[^/]+$', '', 'i')
  from settings
),
located as (
  select d.id, d.kind, d.dest, r.id is not null as found, region_name(r.location) as region,
         coalesce(list_contains(r.unknown_paths, 'location'), false) as location_unknown
  from destinations d
  left join resources r on r.id = lower(d.dest) or r.id = d.dest
  where nullif(d.dest, '') is not null
),
setting_subjects as (
  select s.id, s.tenant_id, 'diagnostic setting' as kind, t.regions,
         count(l.id) as destinations,
         count(l.id) filter (where l.region is not null and not list_contains(t.regions, l.region)) as outside,
         count(l.id) filter (where not l.found or (l.region is null and not l.location_unknown)) as not_located,
         count(l.id) filter (where l.location_unknown) as unknown_located,
         coalesce(list(l.kind || ' ' || l.dest || ' in ' || coalesce(l.region, case when l.found then 'no location' else 'not collected' end)
                       order by l.kind, l.dest) filter (where l.id is not null), []) as described
  from settings s
  left join tenant_residency() t on t.tenant_id = s.tenant_id
  left join located l on l.id = s.id
  group by all
),
workspace_subjects as (
  select w.id, w.tenant_id, 'workspace' as kind, t.regions, 1 as destinations,
         case when region_name(w.location) is not null and not list_contains(t.regions, region_name(w.location)) then 1 else 0 end as outside,
         case when region_name(w.location) is null then 1 else 0 end as not_located,
         0 as unknown_located,
         ['workspace in ' || coalesce(region_name(w.location), 'no location')] as described
  from resources w
  left join tenant_residency() t on t.tenant_id = w.tenant_id
  where w.type = 'microsoft.operationalinsights/workspaces' and w.tenant_id is not null
),
subjects as (
  select * from setting_subjects
  union all
  select * from workspace_subjects
)
select id as resource_id, tenant_id,
       case
         when coalesce(len(regions), 0) = 0 then 'error'
         when outside > 0 then 'fail'
         when destinations = 0 or not_located > 0 then 'error'
         when unknown_located > 0 then 'unknown'
         else 'pass'
       end as status,
       case
         when coalesce(len(regions), 0) = 0 then 'tenant ' || tenant_id || ' has no regions configured (tenants[].regions): residency cannot be judged'
         when outside > 0 then 'logs go outside the tenant''s regions (' || array_to_string(regions, ', ') || '): ' || array_to_string(described, '; ')
         when destinations = 0 then 'diagnostic setting names no destination'
         when not_located > 0 then 'log destination not located: ' || array_to_string(described, '; ')
         when unknown_located > 0 then 'a planned destination''s location is known only after apply: ' || array_to_string(described, '; ')
         else 'logs stay in the tenant''s regions: ' || array_to_string(described, '; ')
       end as reason,
       json_object('kind', kind, 'destinations', described, 'tenant_regions', regions) as evidence
from subjects
