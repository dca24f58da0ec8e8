-- Subjects are the live estate's subscriptions, with their tenants (live_subscriptions in src/checks/macros.sql).
with subs as (
  select sub, tenant_id from live_subscriptions()
),
settings as (
  select d.id, d.tenant_id, lower(d.parent_id) as sub,
         coalesce(json_type(d.properties->'$.logs') = 'ARRAY', false) as has_logs,
         case when json_type(d.properties->'$.logs') = 'ARRAY' then
           list_transform(list_filter(from_json(d.properties->'$.logs', '["json"]'), lambda l: l->>'$.enabled' = 'true'),
                          lambda l: lower(coalesce(l->>'$.category', l->>'$.categoryGroup')))
         end as enabled_logs,
         nullif(lower(d.properties->>'$.workspaceId'), '') as workspace,
         nullif(d.properties->>'$.storageAccountId', '') as storage
  from resources d
  where d.type = 'microsoft.insights/diagnosticsettings'
    and regexp_matches(lower(d.parent_id), '^/subscriptions/[^/]+$')
),
judged as (
  select s.*,
         list_contains(enabled_logs, 'alllogs')
           or (list_contains(enabled_logs, 'administrative') and list_contains(enabled_logs, 'security')
               and list_contains(enabled_logs, 'policy')) as covers,
         try_cast(w.properties->>'$.retentionInDays' as integer) as ws_days,
         w.id is not null as ws_collected
  from settings s
  left join resources w on w.type = 'microsoft.operationalinsights/workspaces' and lower(w.id) = s.workspace
),
verdicts as (
  select *,
         case
           when not has_logs then 'error'
           when not covers then 'fail'
           when storage is not null then 'pass'
           when workspace is null then 'fail'
           when not ws_collected or ws_days is null then 'error'
           when ws_days >= getvariable('min_days') then 'pass'
           else 'fail'
         end as verdict
  from judged
),
agg as (
  select s.sub, s.tenant_id,
         count(v.id) as n_settings,
         count(v.id) filter (where v.verdict = 'pass') as n_pass,
         count(v.id) filter (where v.verdict = 'error') as n_error,
         -- ordered by setting id (values_by_key in src/checks/macros.sql)
         values_by_key(list({'key': v.id,
                             'value': json_object('setting', v.id, 'verdict', v.verdict, 'enabledLogs', v.enabled_logs,
                                                  'workspaceId', v.workspace, 'workspaceRetentionInDays', v.ws_days,
                                                  'storageAccountId', v.storage)})
           filter (where v.id is not null)) as detail
  from subs s
  left join verdicts v on v.sub = s.sub and v.tenant_id is not distinct from s.tenant_id
  group by s.sub, s.tenant_id
)
select
  sub as resource_id,
  tenant_id,
  case
    when n_pass > 0 then 'pass'
    when not settings_collected then 'error'
    when n_settings = 0 then 'fail'
    when n_error > 0 then 'error'
    else 'fail'
  end as status,
  case
    when n_pass > 0 then 'activity log exported with Administrative, Security and Policy to a destination kept long enough'
    when not settings_collected then 'diagnostic settings of this subscription were not collected'
    when n_settings = 0 then 'no subscription diagnostic setting exports the activity log'
    when n_error > 0 then 'a subscription diagnostic setting lacks its logs list, or its workspace or workspace retention was not collected'
    else 'no subscription diagnostic setting sends Administrative, Security and Policy to storage or to a workspace kept '
      || getvariable('min_days') || ' days'
  end as reason,
  json_object('settings', detail, 'settingsCollected', settings_collected, 'minDays', getvariable('min_days')) as evidence
from (select *, children_collected(sub, 'microsoft.insights/diagnosticsettings') as settings_collected from agg)
