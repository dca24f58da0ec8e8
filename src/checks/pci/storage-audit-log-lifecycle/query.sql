-- Audit logs must outlive every delete rule: the earliest enabled base-blob delete decides.
with sa as (
  select id, tenant_id, children_collected(id, 'microsoft.storage/storageaccounts/managementpolicies') as policies_collected
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
-- Plain aggregates per account rather than a correlated subquery per figure: the same results, planned far faster.
pol_agg as (
  select account_id, count(*) as policies, count(*) filter (where rules is null) as policies_without_rules
  from pol
  group by account_id
),
rule_agg as (
  select
    account_id,
    min(delete_days) filter (where enabled) as earliest_delete,
    -- ordered by delete days, then rule name (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': {days: delete_days, name: rule_name}, 'value': rule_name || ' (' || delete_days || ' days)'})
      filter (where enabled and delete_days < getvariable('min_retention_days'))) as early_rules,
    list_sort(list(rule_name) filter (where enabled and del is not null and delete_days is null)) as undecided_rules
  from rule
  group by account_id
),
per_account as (
  select
    sa.id as account_id,
    coalesce(p.policies, 0) as policies,
    coalesce(p.policies_without_rules, 0) as policies_without_rules,
    r.earliest_delete,
    r.early_rules,
    r.undecided_rules
  from sa
  left join pol_agg p on p.account_id = sa.id
  left join rule_agg r on r.account_id = sa.id
)
select
  sa.id as resource_id,
  sa.tenant_id,
  case
    when len(a.early_rules) > 0 then 'fail'
    when not sa.policies_collected then 'error'
    when a.policies = 0 then 'fail'
    when a.policies_without_rules > 0 or len(a.undecided_rules) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(a.early_rules) > 0
      then format('rule {} deletes base blobs before {} days', a.early_rules[1], getvariable('min_retention_days'))
    when not sa.policies_collected then 'management policies of this storage account were not collected'
    when a.policies = 0 then 'no lifecycle management policy: audit log retention is unmanaged'
    when a.policies_without_rules > 0 then 'policy.rules is absent on the management policy'
    when len(a.undecided_rules) > 0 then format('delete action of rule {} has no days condition', a.undecided_rules[1])
    when a.earliest_delete is null then 'no enabled rule deletes base blobs'
    else format('earliest base-blob delete is after {} days (minimum {})', a.earliest_delete, getvariable('min_retention_days'))
  end as reason,
  json_object(
    'management_policies', a.policies,
    'management_policies_collected', sa.policies_collected,
    'earliest_delete_days', a.earliest_delete,
    'early_delete_rules', a.early_rules,
    'min_retention_days', getvariable('min_retention_days')
  ) as evidence
from sa
join per_account a on a.account_id = sa.id
