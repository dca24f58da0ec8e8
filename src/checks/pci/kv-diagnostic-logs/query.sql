-- The vault's audit trail exists only if a diagnostic setting ships AuditEvent somewhere durable.
with v as (
  select id, tenant_id, children_collected(id, 'microsoft.insights/diagnosticsettings') as settings_collected
  from resources
  where type = 'microsoft.keyvault/vaults'
),
ds as (
  select
    v.id as vault_id,
    d.id as setting_id,
    d.properties->'$.logs' as logs,
    nullif(d.properties->>'$.workspaceId', '') as workspace_id,
    nullif(d.properties->>'$.storageAccountId', '') as storage_account_id,
    -- In a plan, a destination or log list computed at apply time is not evidence either way.
    len(list_filter(coalesce(d.unknown_paths, []), p -> p in ('properties.workspaceId', 'properties.storageAccountId')
      or starts_with(p, 'properties.logs'))) > 0 as undecided
  from v
  join resources d
    on d.type = 'microsoft.insights/diagnosticsettings'
   and lower(d.parent_id) = lower(v.id)
   and d.tenant_id is not distinct from v.tenant_id
),
judged as (
  select
    vault_id,
    setting_id,
    logs is null and not undecided as logs_absent,
    undecided,
    (workspace_id is not null or storage_account_id is not null)
      and exists (
        select 1
        from unnest(from_json(logs, '["json"]')) as t(l)
        where l->>'$.enabled' = 'true'
          and (lower(l->>'$.category') = 'auditevent' or lower(l->>'$.categoryGroup') in ('audit', 'alllogs'))
      ) as ships_audit
  from ds
),
per_vault as (
  select
    vault_id,
    list(setting_id order by setting_id) filter (where ships_audit) as shipping,
    list(setting_id order by setting_id) filter (where logs_absent) as without_logs,
    list(setting_id order by setting_id) filter (where undecided) as undecided,
    list(setting_id order by setting_id) as settings
  from judged
  group by vault_id
)
select
  v.id as resource_id,
  v.tenant_id,
  case
    when len(p.shipping) > 0 then 'pass'
    when not v.settings_collected then 'error'
    when p.settings is null then 'fail'
    when len(p.without_logs) > 0 or len(p.undecided) > 0 then 'error'
    else 'fail'
  end as status,
  case
    when len(p.shipping) > 0 then format('diagnostic setting {} sends AuditEvent to a workspace or storage account', p.shipping[1])
    when not v.settings_collected then 'diagnostic settings of this vault were not collected'
    when p.settings is null then 'no diagnostic setting on the vault'
    when len(p.without_logs) > 0 then format('logs is absent on diagnostic setting {}', p.without_logs[1])
    when len(p.undecided) > 0 then format('destination or logs of diagnostic setting {} known only after apply', p.undecided[1])
    else 'no diagnostic setting enables AuditEvent (or audit / allLogs) with a workspace or storage destination'
  end as reason,
  json_object('diagnostic_settings', p.settings, 'shipping_audit', p.shipping,
              'diagnostic_settings_collected', v.settings_collected) as evidence
from v
left join per_vault p on p.vault_id = v.id
