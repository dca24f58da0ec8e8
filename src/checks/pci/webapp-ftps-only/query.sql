-- FtpsOnly and Disabled keep credentials off plain FTP; AllAllowed does not. Apps and slots alike.
with v as (
  select id, tenant_id, properties->>'$.siteConfig.ftpsState' as raw, lower(raw) as val
  from resources
  where type in ('microsoft.web/sites', 'microsoft.web/sites/slots')
)
select
  id as resource_id,
  tenant_id,
  case
    when val in ('ftpsonly', 'disabled') then 'pass'
    when val = 'allallowed' then 'fail'
    else 'error'
  end as status,
  case
    when val in ('ftpsonly', 'disabled') then 'FTP state is ' || raw
    when val = 'allallowed' then 'plain FTP is allowed (AllAllowed)'
    when val is null then 'siteConfig.ftpsState is absent'
    else format('unrecognised ftpsState value {}', raw)
  end as reason,
  json_object('ftpsState', raw) as evidence
from v
