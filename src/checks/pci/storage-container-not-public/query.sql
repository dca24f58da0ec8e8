-- None is the only value without anonymous access; Blob and Container both serve data to anyone.
with v as (
  select id, tenant_id, properties->>'$.publicAccess' as raw, lower(raw) as val
  from resources
  where type = 'microsoft.storage/storageaccounts/blobservices/containers'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'none' then 'pass'
    when val in ('blob', 'container') then 'fail'
    else 'error'
  end as status,
  case
    when val = 'none' then 'anonymous access is off'
    when val = 'blob' then 'anyone may read the blobs anonymously'
    when val = 'container' then 'anyone may list and read the container anonymously'
    when val is null then 'publicAccess is absent'
    else format('unrecognised publicAccess value {}', raw)
  end as reason,
  json_object('publicAccess', raw) as evidence
from v
