-- Audit logs must outlive every delete rule: the earliest enabled base-blob delete decides.
with sa as (
  select id, tenant_id
  from resources
  where type = 'microsoft.storage/storageaccounts'
    and len(list_filter(map_entries(cast(tags as map(varchar, varchar))),
                        e -> lower(e.key) = 'dataclass' and lower(e.value) = 'audit-logs')) > 0
),
pol as (
  select sa.id as account_id, p.id as policy_id, p.properties->'$.policy.rules' as rules
  from sa
  join resources p
    on p.type = 'microsoft.storage/storageaccounts/managementpolicies'
   and lower(p.parent_id) = lower(sa.id)
   and p.tenant_id is not distinct from sa.tenant_id
),
rule as (
  select
    account_id,
    coalesce(r->>'$.name', '(unnamed)') as rule_name,
    -- an absent enabled flag may still delete: count the rule
    coalesce(r->>'$.enabled', 'true') <> 'false' as enabled,
    r->'$.definition.actions.baseBlob.delete' as del,
    least(
      try_cast(r->>'$.definition.actions.baseBlob.delete.daysAfterModificationGreaterThan' as integer),
      try_cast(r->>'$.definition.actions.baseBlob.delete.daysAfterCreationGreaterThan' as integer),
      try_cast(r->>'$.definition.actions.baseBlob.delete.daysAfterLastAccessTimeGreaterThan' as integer)
    ) as delete_days
  from pol, unnest(from_json(pol.rules, '["json"]')) as t(r)
),
per_account as (
  select
    sa.id as account_id,
    (select count(*) from pol where pol.account_id = sa.id) as policies,
    (select count(*) from pol where pol.account_id = sa.id and pol.rules is null) as policies_without_rules,
    (select min(delete_days) from rule where rule.account_id = sa.id and enabled) as earliest_delete,
    (select list(rule_name || ' (' || delete_days || ' days)' order by delete_days, rule_name) from rule
      where rule.account_id = sa.id and enabled and delete_days < getvariable('min_retention_days')) as early_rules,
    (select list(rule_name order by rule_name) from rule
      where rule.account_id = sa.id and enabled and del is not null and delete_days is null) as undecided_rules
  from sa
)
select
  sa.id as resource_id,
  sa.tenant_id,
  case
    when a.policies = 0 then 'fail'
    when len(a.early_rules) > 0 then 'fail'
    when a.policies_without_rules > 0 or len(a.undecided_rules) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when a.policies = 0 then 'no lifecycle management policy: audit log retention is unmanaged'
    when len(a.early_rules) > 0
      then format('rule {} deletes base blobs before {} days', a.early_rules[1], getvariable('min_retention_days'))
    when a.policies_without_rules > 0 then 'policy.rules is absent on the management policy'
    when len(a.undecided_rules) > 0 then format('delete action of rule {} has no days condition', a.undecided_rules[1])
    when a.earliest_delete is null then 'no enabled rule deletes base blobs'
    else format('earliest base-blob delete is after {} days (minimum {})', a.earliest_delete, getvariable('min_retention_days'))
  end as reason,
  json_object(
    'management_policies', a.policies,
    'earliest_delete_days', a.earliest_delete,
    'early_delete_rules', a.early_rules,
    'min_retention_days', getvariable('min_retention_days')
  ) as evidence
from sa
join per_account a on a.account_id = sa.id
