-- Only 1.2 (or later) counts as strong cryptography.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.minimumTlsVersion') as val
  from resources
  where type = 'microsoft.cache/redis'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = '1.2' then 'pass'
    when val = '1.3' then 'pass'
    when val = '1.0' then 'fail'
    when val = '1.1' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = '1.2' then 'minimum TLS version is 1.2'
    when val = '1.3' then 'minimum TLS version is 1.3'
    when val = '1.0' then 'minimum TLS version is 1.0'
    when val = '1.1' then 'minimum TLS version is 1.1'
    when val is null then 'minimumTlsVersion is absent'
    else format('unrecognised minimumTlsVersion value {}', properties->>'$.minimumTlsVersion')
  end as reason,
  json_object(
    'minimumTlsVersion', properties->'$.minimumTlsVersion'
  ) as evidence
from v
