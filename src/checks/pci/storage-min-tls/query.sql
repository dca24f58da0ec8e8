-- Only TLS 1.2 and 1.3 count as strong cryptography; an account that never set a minimum is missing evidence.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.minimumTlsVersion') as val
  from resources
  where type = 'microsoft.storage/storageaccounts'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'tls1_2' then 'pass'
    when val = 'tls1_3' then 'pass'
    when val = 'tls1_0' then 'fail'
    when val = 'tls1_1' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'tls1_2' then 'minimum TLS version is TLS1_2'
    when val = 'tls1_3' then 'minimum TLS version is TLS1_3'
    when val = 'tls1_0' then 'minimum TLS version is TLS1_0'
    when val = 'tls1_1' then 'minimum TLS version is TLS1_1'
    when val is null then 'minimumTlsVersion is absent'
    else format('unrecognised minimumTlsVersion value {}', properties->>'$.minimumTlsVersion')
  end as reason,
  json_object(
    'minimumTlsVersion', properties->'$.minimumTlsVersion'
  ) as evidence
from v
