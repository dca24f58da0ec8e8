-- Local accounts are off only when ARM says disableLocalAccounts = true. They are on by default (azurerm
-- local_account_disabled defaults to false), so an absent flag fails unless it is known only after apply.
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when properties->>'$.disableLocalAccounts' = 'true' then 'pass'
    when properties->>'$.disableLocalAccounts' = 'false' then 'fail'
    when properties->>'$.disableLocalAccounts' is not null then 'error'
    when unknown_at(unknown_paths, 'properties.disableLocalAccounts') then 'error'
    else 'fail'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when properties->>'$.disableLocalAccounts' = 'true' then 'local accounts are disabled'
    when properties->>'$.disableLocalAccounts' = 'false' then 'local accounts are enabled (disableLocalAccounts is false)'
    when properties->>'$.disableLocalAccounts' is not null
      then format('unrecognised disableLocalAccounts value {}', properties->>'$.disableLocalAccounts')
    when unknown_at(unknown_paths, 'properties.disableLocalAccounts') then 'disableLocalAccounts is known only after apply'
    else 'disableLocalAccounts is absent: local accounts are enabled by default'
  end as reason,
  json_object('disableLocalAccounts', properties->'$.disableLocalAccounts') as evidence
from resources
where type = 'microsoft.containerservice/managedclusters'
