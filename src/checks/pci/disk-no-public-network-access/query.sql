-- Export over the internet is possible only with AllowAll; absent is missing evidence.
with d as (
  select id, tenant_id,
         properties->>'$.networkAccessPolicy' as policy,
         properties->>'$.publicNetworkAccess' as public_access
  from resources
  where type = 'microsoft.compute/disks'
)
select
  id as resource_id,
  tenant_id,
  case
    when lower(policy) in ('denyall', 'allowprivate') then 'pass'
    when lower(policy) = 'allowall' then 'fail'
    else 'error'
  end as status,
  case
    when lower(policy) = 'denyall' then 'disk export is denied (networkAccessPolicy DenyAll)'
    when lower(policy) = 'allowprivate' then 'disk export only through a private endpoint (networkAccessPolicy AllowPrivate)'
    when lower(policy) = 'allowall' then 'disk can be exported from any network (networkAccessPolicy AllowAll)'
    when policy is null then 'networkAccessPolicy is absent'
    else 'unrecognised networkAccessPolicy ' || policy
  end as reason,
  json_object('networkAccessPolicy', policy, 'publicNetworkAccess', public_access) as evidence
from d
