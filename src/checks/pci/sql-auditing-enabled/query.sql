-- Auditing is a server child (auditingSettings/default); the server passes only on an Enabled state.
with srv as (
  select id, tenant_id, children_collected(id, 'microsoft.sql/servers/auditingsettings') as settings_collected
  from resources
  where type = 'microsoft.sql/servers'
),
setting as (
  select srv.id as server_id, a.id as setting_id, a.properties->>'$.state' as state
  from srv
  join resources a
    on a.type = 'microsoft.sql/servers/auditingsettings'
   and lower(a.parent_id) = lower(srv.id)
   and a.tenant_id is not distinct from srv.tenant_id
),
per_server as (
  select
    server_id,
    list(setting_id order by setting_id) filter (where lower(state) = 'enabled') as enabled,
    list(setting_id order by setting_id) filter (where state is null) as stateless,
    -- ordered by setting id (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': setting_id, 'value': setting_id || ': ' || coalesce(state, 'state absent')})) as settings
  from setting
  group by server_id
)
select
  srv.id as resource_id,
  srv.tenant_id,
  case
    when len(p.enabled) > 0 then 'pass'
    when not srv.settings_collected then 'error'
    when p.settings is null then 'fail'
    when len(p.stateless) > 0 then 'error'
    else 'fail'
  end as status,
  case
    when len(p.enabled) > 0 then format('auditing is enabled ({})', p.enabled[1])
    when not srv.settings_collected then 'auditing settings of this server were not collected'
    when p.settings is null then 'no auditing settings on the server'
    when len(p.stateless) > 0 then format('state is absent on auditing setting {}', p.stateless[1])
    else format('auditing is not enabled ({})', array_to_string(p.settings, '; '))
  end as reason,
  json_object('auditing_settings', p.settings, 'auditing_settings_collected', srv.settings_collected) as evidence
from srv
left join per_server p on p.server_id = srv.id
