-- Port 6379 is plain text; only an explicit false shows it is closed.
with v as (
  select id, tenant_id, properties, lower(properties->>'$.enableNonSslPort') as val
  from resources
  where type = 'microsoft.cache/redis'
)
select
  id as resource_id,
  tenant_id,
  case
    when val = 'false' then 'pass'
    when val = 'true' then 'fail'
    when val is null then 'error'
    else 'error'
  end as status,
  case
    when val = 'false' then 'the non-TLS port is disabled'
    when val = 'true' then 'the non-TLS port 6379 is enabled'
    when val is null then 'enableNonSslPort is absent'
    else format('unrecognised enableNonSslPort value {}', properties->>'$.enableNonSslPort')
  end as reason,
  json_object(
    'enableNonSslPort', properties->'$.enableNonSslPort'
  ) as evidence
from v
