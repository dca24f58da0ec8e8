-- Access policies are the legacy model; only an explicit true shows the vault is on RBAC. ARM documents that a vault
-- created without enableRbacAuthorization gets false, so an absent flag fails unless it is known only after apply.
-- The logic is property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason,
       json_merge_patch(evidence, json_object('accessPolicies', json_array_length(properties->'$.accessPolicies'))) as evidence
from property_value_verdict('microsoft.keyvault/vaults', 'enableRbacAuthorization', 'true', 'false',
                            'the vault uses the Azure RBAC permission model', 'the vault uses access policies, not Azure RBAC',
                            absent_default := 'a vault uses access policies by default')
