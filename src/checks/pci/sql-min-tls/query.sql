-- Only 1.2 and 1.3 are strong; None (azurerm writes Disabled) means any version is accepted.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.minimalTlsVersion') as val
  from resources
  where type = 'microsoft.sql/servers'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = '1.2' then 'pass'
    when val = '1.3' then 'pass'
    when val = '1.0' then 'fail'
    when val = '1.1' then 'fail'
    when val = 'none' then 'fail'
    when val = 'disabled' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = '1.2' then 'minimum TLS version is 1.2'
    when val = '1.3' then 'minimum TLS version is 1.3'
    when val = '1.0' then 'minimum TLS version is 1.0'
    when val = '1.1' then 'minimum TLS version is 1.1'
    when val = 'none' then 'no minimum TLS version is enforced (None)'
    when val = 'disabled' then 'no minimum TLS version is enforced (Disabled)'
    when val is null then 'minimalTlsVersion is absent'
    else format('unrecognised minimalTlsVersion value {}', properties->>'$.minimalTlsVersion')
  end as reason,
  json_object(
    'minimalTlsVersion', properties->'$.minimalTlsVersion'
  ) as evidence
from v
