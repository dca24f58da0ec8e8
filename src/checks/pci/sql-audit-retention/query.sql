-- retentionDays applies to the storage destination; 0 there means keep forever. Audit sent to Azure Monitor is
-- kept as long as the Log Analytics workspace a diagnostic setting on the master database routes it to keeps data.
with srv as (
  select id, tenant_id, children_collected(id, 'microsoft.sql/servers/auditingsettings') as settings_collected
  from resources
  where type = 'microsoft.sql/servers'
),
setting as (
  select
    srv.id as server_id,
    a.id as setting_id,
    try_cast(a.properties->>'$.retentionDays' as integer) as retention_days,
    nullif(a.properties->>'$.storageEndpoint', '') as storage_endpoint,
    coalesce(lower(a.properties->>'$.isAzureMonitorTargetEnabled') = 'true', false) as to_monitor,
    children_collected(srv.id || '/databases/master', 'microsoft.insights/diagnosticsettings') as routes_collected
  from srv
  join resources a
    on a.type = 'microsoft.sql/servers/auditingsettings'
   and lower(a.parent_id) = lower(srv.id)
   and a.tenant_id is not distinct from srv.tenant_id
  where lower(a.properties->>'$.state') = 'enabled'
),
diag as (
  select id, tenant_id, parent_id, properties, unknown_paths
  from resources
  where type = 'microsoft.insights/diagnosticsettings'
),
-- Diagnostic settings on the master database carry the audit events to Azure Monitor. A plan's setting that
-- references the server stands for one: azurerm writes target_resource_id = "${server.id}/databases/master",
-- which the plan records as a reference to the server (a server takes no diagnostic settings itself).
-- Each server is listed under both ids a setting may name, so the settings join on equality; the two ids differ,
-- so no pair is matched twice.
srv_target as (
  select id, tenant_id, unnest([lower(id), lower(id) || '/databases/master']) as target
  from srv
),
route as (
  select
    t.id as server_id,
    d.id as route_id,
    nullif(lower(d.properties->>'$.workspaceId'), '') as workspace_id,
    len(list_filter(coalesce(d.unknown_paths, []),
      lambda p: p = 'properties.workspaceId' or starts_with(p, 'properties.logs'))) > 0 as undecided,
    coalesce(json_type(d.properties->'$.logs') = 'ARRAY', false)
      and len(list_filter(from_json(d.properties->'$.logs', '["json"]'),
        lambda l: l->>'$.enabled' = 'true' and (lower(l->>'$.category') = 'sqlsecurityauditevents'
          or lower(l->>'$.categoryGroup') in ('audit', 'alllogs')))) > 0 as ships
  from srv_target t
  join diag d
    on lower(d.parent_id) = t.target
   and d.tenant_id is not distinct from t.tenant_id
),
route_days as (
  select r.*, w.id is not null as workspace_known, try_cast(w.properties->>'$.retentionInDays' as integer) as workspace_days
  from route r
  left join resources w on w.type = 'microsoft.operationalinsights/workspaces' and lower(w.id) = r.workspace_id
),
monitor as (
  select
    server_id,
    max(workspace_days) filter (where ships and not undecided) as days,
    -- the longest-kept route decides; of routes kept equally long, the lowest setting id is named
    min_by(workspace_id, {shorter: -workspace_days, setting: route_id}) filter (where ships and not undecided and workspace_days is not null) as workspace_id,
    min_by(route_id, {shorter: -workspace_days, setting: route_id}) filter (where ships and not undecided and workspace_days is not null) as route_id,
    min(route_id) filter (where undecided) as undecided_route,
    min(workspace_id) filter (where ships and not undecided and workspace_days is null) as unknown_workspace,
    -- ordered by diagnostic setting id (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': route_id,
                        'value': {setting: route_id, workspace: workspace_id, retentionInDays: workspace_days, shipsAudit: ships}})) as routes
  from route_days
  group by server_id
),
judged as (
  select
    s.server_id,
    s.setting_id,
    s.retention_days,
    m.routes,
    case
      when s.storage_endpoint is null and not s.to_monitor then 'error'
      when s.storage_endpoint is null and m.days >= getvariable('min_days') then 'pass'
      when s.storage_endpoint is null and (m.undecided_route is not null or m.unknown_workspace is not null) then 'error'
      -- a route kept too short fails only when no other route of the master database can be missing
      when s.storage_endpoint is null and m.days is not null and not s.routes_collected then 'error'
      when s.storage_endpoint is null and m.days is not null then 'fail'
      when s.storage_endpoint is null then 'error'
      when s.retention_days is null then 'error'
      when s.retention_days = 0 or s.retention_days >= getvariable('min_days') then 'pass'
      else 'fail'
    end as verdict,
    case
      when s.storage_endpoint is null and not s.to_monitor
        then format('auditing setting {} has no storage or Azure Monitor destination whose retention is known', s.setting_id)
      when s.storage_endpoint is null and m.days is not null and m.days < getvariable('min_days')
          and m.undecided_route is null and m.unknown_workspace is null and not s.routes_collected
        then format('diagnostic setting {} keeps the audit events {} days (minimum {}), and the diagnostic settings of the master database were not all collected',
                    m.route_id, m.days, getvariable('min_days'))
      when s.storage_endpoint is null and m.days is not null
          and (m.days >= getvariable('min_days') or (m.undecided_route is null and m.unknown_workspace is null))
        then format('audit events go to workspace {} through diagnostic setting {}, kept {} days (minimum {})',
                    m.workspace_id, m.route_id, m.days, getvariable('min_days'))
      when s.storage_endpoint is null and m.undecided_route is not null
        then format('diagnostic setting {} sends the audit events to a destination known only after apply', m.undecided_route)
      when s.storage_endpoint is null and m.unknown_workspace is not null
        then format('workspace {} receives the audit events, but its retention is not in the data', m.unknown_workspace)
      when s.storage_endpoint is null
        then format('auditing setting {} sends to Azure Monitor, but no diagnostic setting on the master database ships SQLSecurityAuditEvents to a workspace', s.setting_id)
      when s.retention_days is null then format('retentionDays is absent on auditing setting {}', s.setting_id)
      when s.retention_days = 0 then format('audit logs are kept indefinitely ({}: retentionDays 0)', s.setting_id)
      else format('audit retention is {} days on {} (minimum {})', s.retention_days, s.setting_id, getvariable('min_days'))
    end as why
  from setting s
  left join monitor m on m.server_id = s.server_id
),
per_server as (
  select
    server_id,
    -- the best verdict of the server's enabled settings decides
    min_by(why, case verdict when 'pass' then 0 when 'fail' then 1 else 2 end) as why,
    min(case verdict when 'pass' then 0 when 'fail' then 1 else 2 end) as rank,
    -- ordered by auditing setting id (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': setting_id, 'value': {setting: setting_id, retentionDays: retention_days}})) as settings,
    any_value(routes) as routes
  from judged
  group by server_id
)
select
  srv.id as resource_id,
  srv.tenant_id,
  -- short of a pass, an enabled setting that was not collected could still decide
  case
    when p.rank = 0 then 'pass'
    when not srv.settings_collected then 'error'
    when p.rank = 1 then 'fail'
    when p.rank = 2 then 'error'
    else 'fail'
  end as status,
  case
    when p.rank = 0 then p.why
    when not srv.settings_collected then 'auditing settings of this server were not collected'
    else coalesce(p.why, 'auditing is not enabled, so no audit log is retained')
  end as reason,
  json_object('enabled_auditing_settings', p.settings, 'azure_monitor_routes', p.routes, 'min_days', getvariable('min_days'),
              'auditing_settings_collected', srv.settings_collected) as evidence
from srv
left join per_server p on p.server_id = srv.id
