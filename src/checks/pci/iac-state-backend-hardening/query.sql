-- The state backend accounts, their account-level settings and their blob service's versioning and soft delete.
with backends as (select distinct lower(backend_account) as name from iac_resources where backend_account is not null),
accounts as (
  select b.name, r.id, r.tenant_id, r.properties,
         svc.properties as svc_props,
         svc.id is not null or (r.id is not null and children_collected(r.id, 'microsoft.storage/storageaccounts/blobservices')) as svc_known
  from backends b
  left join resources r on r.type = 'microsoft.storage/storageaccounts' and lower(r.name) = b.name and r.origin <> 'plan'
  left join resources svc on svc.type = 'microsoft.storage/storageaccounts/blobservices' and svc.id = r.id || '/blobservices/default'
),
settings as (
  select *,
         properties->>'$.allowBlobPublicAccess' as public_access,
         properties->>'$.allowSharedKeyAccess' as shared_key,
         svc_props->>'$.isVersioningEnabled' as versioning,
         svc_props->>'$.deleteRetentionPolicy.enabled' as soft_delete
  from accounts
),
judged as (
  select *,
         list_filter([
           if(public_access = 'true', 'anonymous blob access allowed', null),
           if(shared_key = 'true', 'shared-key access allowed', null),
           if(versioning = 'false', 'blob versioning off', null),
           if(soft_delete = 'false', 'blob soft delete off', null)], lambda x: x is not null) as bad,
         list_filter([
           if(public_access is null, 'allowBlobPublicAccess', null),
           if(shared_key is null, 'allowSharedKeyAccess', null),
           if(svc_known and svc_props is not null and versioning is null, 'isVersioningEnabled', null),
           if(svc_known and svc_props is not null and soft_delete is null, 'deleteRetentionPolicy.enabled', null)], lambda x: x is not null) as absent
  from settings
)
select
  coalesce(id, 'iac-backend://' || name) as resource_id,
  tenant_id,
  case
    when id is null then 'error'
    when len(bad) > 0 then 'fail'
    when not svc_known or svc_props is null or len(absent) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when id is null then 'state backend account ' || name || ' not found in the live collection'
    when len(bad) > 0 then 'holds Terraform state with ' || array_to_string(bad, ', ')
    when not svc_known or svc_props is null then 'blob service properties (versioning, soft delete) not collected'
    when len(absent) > 0 then 'absent: ' || array_to_string(absent, ', ')
    else 'versioning and soft delete on, no anonymous or shared-key access'
  end as reason,
  json_object('account', name, 'allowBlobPublicAccess', public_access, 'allowSharedKeyAccess', shared_key,
              'isVersioningEnabled', versioning, 'deleteRetentionPolicy.enabled', soft_delete) as evidence
from judged
