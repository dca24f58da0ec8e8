-- Audit-critical plan resources: fixed types, plus storage accounts tagged DataClass=audit-logs (key and value
-- matched case-insensitively). A storage account deleted without its tags in the plan might hold audit logs.
with plan_rows as (
  select id, tenant_id, type, plan_address, plan_actions, tags,
         (select lower(value->>'$') from json_each(tags) where lower(key) = 'dataclass' limit 1) as data_class,
         list_contains(plan_actions, 'delete') as deletes
  from resources
  where origin = 'plan'
),
subjects as (
  select *,
         type = 'microsoft.storage/storageaccounts' and (tags is null or json_type(tags) <> 'OBJECT') as tags_unknown
  from plan_rows
  where type in ('microsoft.insights/diagnosticsettings', 'microsoft.operationalinsights/workspaces',
                 'microsoft.keyvault/vaults', 'microsoft.network/networkwatchers/flowlogs')
     or (type = 'microsoft.storage/storageaccounts'
         and (data_class = 'audit-logs' or ((tags is null or json_type(tags) <> 'OBJECT') and deletes)))
)
select
  id as resource_id,
  tenant_id,
  case
    when plan_actions is null then 'error'
    when tags_unknown then 'error'
    when deletes then 'fail'
    else 'pass'
  end as status,
  case
    when plan_actions is null then 'plan_actions is absent'
    when tags_unknown then 'storage account is deleted and its tags are absent: it may hold audit logs'
    when deletes and list_contains(plan_actions, 'create') then 'plan replaces (destroys and recreates) audit-critical ' || type
    when deletes then 'plan destroys audit-critical ' || type
    else 'plan does not destroy this audit-critical resource (' || array_to_string(plan_actions, ', ') || ')'
  end as reason,
  json_object('planAddress', plan_address, 'planActions', plan_actions, 'type', type, 'DataClass', data_class) as evidence
from subjects
