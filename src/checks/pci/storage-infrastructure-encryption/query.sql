-- Double encryption is decided at creation; only an explicit true shows it is on.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.encryption.requireInfrastructureEncryption') as val
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
    when val = 'true' then 'infrastructure encryption is enabled'
    when val = 'false' then 'infrastructure encryption is disabled'
    when val is null then 'encryption.requireInfrastructureEncryption is absent'
    else format('unrecognised encryption.requireInfrastructureEncryption value {}', properties->>'$.encryption.requireInfrastructureEncryption')
  end as reason,
  json_object(
    'encryption.requireInfrastructureEncryption', properties->'$.encryption.requireInfrastructureEncryption',
    'keySource', properties->'$.encryption.keySource'
  ) as evidence
from v
