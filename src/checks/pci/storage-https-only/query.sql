-- Secure transfer must be required; an absent flag is missing evidence, not a pass.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.supportsHttpsTrafficOnly') as val
  from resources
  where type = 'microsoft.storage/storageaccounts'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'true' then 'pass'
    when val = 'false' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'true' then 'secure transfer (HTTPS only) is required'
    when val = 'false' then 'HTTP traffic is accepted (supportsHttpsTrafficOnly is false)'
    when val is null then 'supportsHttpsTrafficOnly is absent'
    else format('unrecognised supportsHttpsTrafficOnly value {}', properties->>'$.supportsHttpsTrafficOnly')
  end as reason,
  json_object(
    'supportsHttpsTrafficOnly', properties->'$.supportsHttpsTrafficOnly'
  ) as evidence
from v
