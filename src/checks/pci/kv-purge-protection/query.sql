-- Purge protection is on only when ARM says true. It is off by default (Azure Key Vault documents it as optional and
-- not enabled by default), so an absent flag fails unless it is known only after apply. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.keyvault/vaults', 'enablePurgeProtection', 'true', 'false',
                            'purge protection is enabled', 'purge protection is disabled',
                            absent_default := 'purge protection is off by default')
