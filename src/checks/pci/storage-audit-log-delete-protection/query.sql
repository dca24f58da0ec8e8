-- Soft delete recovers a deleted audit log, versioning an overwritten one: both must be on the blob service.
with sa as (
  select id, tenant_id, children_collected(id, 'microsoft.storage/storageaccounts/blobservices') as services_collected
  from resources
  where type = 'microsoft.storage/storageaccounts'
    and origin <> 'plan'
    and len(list_filter(map_entries(cast(tags as map(varchar, varchar))),
                        e -> lower(e.key) = 'dataclass' and lower(e.value) = 'audit-logs')) > 0
),
svc as (
  select
    sa.id as account_id,
    b.id as service_id,
    lower(coalesce(b.properties->>'$.deleteRetentionPolicy.enabled', 'false')) = 'true' as soft_delete,
    try_cast(b.properties->>'$.deleteRetentionPolicy.days' as integer) as days,
    lower(coalesce(b.properties->>'$.deleteRetentionPolicy.allowPermanentDelete', 'false')) = 'true' as permanent_delete,
    lower(coalesce(b.properties->>'$.isVersioningEnabled', 'false')) = 'true' as versioning
  from sa
  join resources b
    on b.type = 'microsoft.storage/storageaccounts/blobservices'
   and lower(b.parent_id) = lower(sa.id)
   and b.tenant_id is not distinct from sa.tenant_id
),
judged as (
  select *,
    case
      when not soft_delete then 'blob soft delete is off (off unless set)'
      when permanent_delete then 'allowPermanentDelete lets soft-deleted blobs be purged'
      when not versioning then 'blob versioning is off (off unless set)'
      when days is null then 'blob soft delete is on but its days are absent'
    end as problem,
    not soft_delete or permanent_delete or not versioning as fails
  from svc
),
per_account as (
  select
    account_id,
    -- ordered by blob service id (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': service_id, 'value': service_id || ': ' || problem}) filter (where fails)) as failing,
    values_by_key(list({'key': service_id, 'value': service_id || ': ' || problem}) filter (where problem is not null and not fails)) as undecided,
    values_by_key(list({'key': service_id,
                        'value': {service: service_id, softDelete: soft_delete, days: days, allowPermanentDelete: permanent_delete,
                                  versioning: versioning}})) as services
  from judged
  group by account_id
)
select
  sa.id as resource_id,
  sa.tenant_id,
  case
    when len(p.failing) > 0 then 'fail'
    when not sa.services_collected then 'error'
    when p.services is null then 'error'
    when len(p.undecided) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(p.failing) > 0 then p.failing[1]
    when not sa.services_collected then 'blob services of this storage account were not collected'
    when p.services is null then 'no blob service was returned for this storage account'
    when len(p.undecided) > 0 then p.undecided[1]
    else format('blob soft delete ({} days) and versioning are on', p.services[1].days)
  end as reason,
  json_object('blob_services', p.services, 'blob_services_collected', sa.services_collected) as evidence
from sa
left join per_account p on p.account_id = sa.id
