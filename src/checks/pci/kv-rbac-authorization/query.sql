-- Access policies are the legacy model; only an explicit true shows the vault is on RBAC.
select
  id as resource_id,
  tenant_id,
  case properties->>'$.enableRbacAuthorization'
    when 'true' then 'pass'
    when 'false' then 'fail'
    else 'error'
  end as status,
  case properties->>'$.enableRbacAuthorization'
    when 'true' then 'the vault uses the Azure RBAC permission model'
    when 'false' then 'the vault uses access policies, not Azure RBAC'
    else 'enableRbacAuthorization is absent'
  end as reason,
  json_object(
    'enableRbacAuthorization', properties->'$.enableRbacAuthorization',
    'accessPolicies', json_array_length(properties->'$.accessPolicies')
  ) as evidence
from resources
where type = 'microsoft.keyvault/vaults'
