-- Local accounts are off only when ARM says disableLocalAccounts = true; absent is missing evidence.
select
  id as resource_id,
  tenant_id,
  case properties->>'$.disableLocalAccounts'
    when 'true' then 'pass'
    when 'false' then 'fail'
    else 'error'
  end as status,
  case properties->>'$.disableLocalAccounts'
    when 'true' then 'local accounts are disabled'
    when 'false' then 'local accounts are enabled (disableLocalAccounts is false)'
    else 'disableLocalAccounts is absent'
  end as reason,
  json_object('disableLocalAccounts', properties->'$.disableLocalAccounts') as evidence
from resources
where type = 'microsoft.containerservice/managedclusters'
