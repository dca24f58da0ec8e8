-- retentionDays applies to the storage destination; 0 there means keep forever.
with srv as (
  select id, tenant_id
  from resources
  where type = 'microsoft.sql/servers'
),
setting as (
  select
    srv.id as server_id,
    a.id as setting_id,
    try_cast(a.properties->>'$.retentionDays' as integer) as retention_days,
    nullif(a.properties->>'$.storageEndpoint', '') as storage_endpoint
  from srv
  join resources a
    on a.type = 'microsoft.sql/servers/auditingsettings'
   and lower(a.parent_id) = lower(srv.id)
   and a.tenant_id is not distinct from srv.tenant_id
  where lower(a.properties->>'$.state') = 'enabled'
),
judged as (
  select
    server_id,
    setting_id,
    retention_days,
    case
      when retention_days is null then 'error'
      when storage_endpoint is null then 'error'
      when retention_days = 0 or retention_days >= getvariable('min_days') then 'pass'
      else 'fail'
    end as verdict,
    case
      when retention_days is null then format('retentionDays is absent on auditing setting {}', setting_id)
      when storage_endpoint is null
        then format('auditing setting {} has no storage destination: retention is the workspace''s and is not judged here', setting_id)
      when retention_days = 0 then format('audit logs are kept indefinitely ({}: retentionDays 0)', setting_id)
      else format('audit retention is {} days on {} (minimum {})', retention_days, setting_id, getvariable('min_days'))
    end as why
  from setting
),
per_server as (
  select
    server_id,
    -- the best verdict of the server's enabled settings decides
    min_by(why, case verdict when 'pass' then 0 when 'fail' then 1 else 2 end) as why,
    min(case verdict when 'pass' then 0 when 'fail' then 1 else 2 end) as rank,
    list({setting: setting_id, retentionDays: retention_days} order by setting_id) as settings
  from judged
  group by server_id
)
select
  srv.id as resource_id,
  srv.tenant_id,
  case p.rank when 0 then 'pass' when 1 then 'fail' when 2 then 'error' else 'fail' end as status,
  coalesce(p.why, 'auditing is not enabled, so no audit log is retained') as reason,
  json_object('enabled_auditing_settings', p.settings, 'min_days', getvariable('min_days')) as evidence
from srv
left join per_server p on p.server_id = srv.id
