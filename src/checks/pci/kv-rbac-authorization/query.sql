-- Access policies are the legacy model; only an explicit true shows the vault is on RBAC. ARM documents that a vault
-- created without enableRbacAuthorization gets false, so an absent flag fails unless it is known only after apply.
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when properties->>'$.enableRbacAuthorization' = 'true' then 'pass'
    when properties->>'$.enableRbacAuthorization' = 'false' then 'fail'
    when properties->>'$.enableRbacAuthorization' is not null then 'error'
    when unknown_at(unknown_paths, 'properties.enableRbacAuthorization') then 'error'
    else 'fail'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when properties->>'$.enableRbacAuthorization' = 'true' then 'the vault uses the Azure RBAC permission model'
    when properties->>'$.enableRbacAuthorization' = 'false' then 'the vault uses access policies, not Azure RBAC'
    when properties->>'$.enableRbacAuthorization' is not null
      then format('unrecognised enableRbacAuthorization value {}', properties->>'$.enableRbacAuthorization')
    when unknown_at(unknown_paths, 'properties.enableRbacAuthorization') then 'enableRbacAuthorization is known only after apply'
    else 'enableRbacAuthorization is absent: a vault uses access policies by default'
  end as reason,
  json_object(
    'enableRbacAuthorization', properties->'$.enableRbacAuthorization',
    'accessPolicies', json_array_length(properties->'$.accessPolicies')
  ) as evidence
from resources
where type = 'microsoft.keyvault/vaults'
