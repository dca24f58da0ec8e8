-- Local accounts are off only when ARM says disableLocalAccounts = true. They are on by default (azurerm
-- local_account_disabled defaults to false), so an absent flag fails unless it is known only after apply. The logic
-- is property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.containerservice/managedclusters', 'disableLocalAccounts', 'true', 'false',
                            'local accounts are disabled', 'local accounts are enabled (disableLocalAccounts is false)',
                            absent_default := 'local accounts are enabled by default')
