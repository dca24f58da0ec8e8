-- Standard accounts whose management policies hold no enabled base-blob rule.
with sa as (
  select id, tenant_id, sku->>'$.name' as sku_name,
         children_collected(id, 'microsoft.storage/storageaccounts/managementpolicies') as policies_collected
  from resources
  where type = 'microsoft.storage/storageaccounts' and origin <> 'plan'
    and lower(coalesce(sku->>'$.tier', split_part(sku->>'$.name', '_', 1), '')) <> 'premium'
),
rules as (
  select sa.id as account_id, count(r) as rules,
         count(r) filter (where coalesce(r->>'$.enabled', 'true') <> 'false'
                          and not json_absent(r->'$.definition.actions.baseBlob')) as base_blob_rules
  from sa
  join resources p
    on p.type = 'microsoft.storage/storageaccounts/managementpolicies'
   and lower(p.parent_id) = lower(sa.id) and p.tenant_id is not distinct from sa.tenant_id
  left join unnest(coalesce(from_json(p.properties->'$.policy.rules', '["json"]'), [])) as t(r) on true
  group by sa.id
)
select
  sa.id as resource_id,
  sa.tenant_id,
  if(sa.policies_collected, 'recommend', 'not-enough-data') as status,
  json_object('sku', sa.sku_name, 'lifecycle_rules', coalesce(r.rules, 0), 'base_blob_rules', coalesce(r.base_blob_rules, 0)) as current,
  json_object('tier_to_cool_after_days', getvariable('cool_days'), 'tier_to_archive_after_days', getvariable('archive_days'),
              'delete_after_days', getvariable('delete_days')) as proposed,
  null::decimal(18, 2) as monthly_savings,
  null::varchar as currency,
  null::date as price_sheet_date,
  'medium' as confidence,
  if(sa.policies_collected,
     format('no enabled lifecycle rule acts on base blobs: add cool at {} days, archive at {}, delete at {}; savings not estimated: capacity per access tier is not collected',
            getvariable('cool_days'), getvariable('archive_days'), getvariable('delete_days')),
     'not enough data: the management policies of this storage account were not collected') as reason,
  json_object('management_policies_collected', sa.policies_collected, 'lifecycle_rules', coalesce(r.rules, 0),
              'base_blob_rules', coalesce(r.base_blob_rules, 0)) as evidence
from sa
left join rules r on r.account_id = sa.id
where not sa.policies_collected or coalesce(r.base_blob_rules, 0) = 0
