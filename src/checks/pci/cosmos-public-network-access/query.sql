-- Enabled is ARM's default; only Disabled keeps the account off the internet. The logic is property_value_verdict.
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.documentdb/databaseaccounts', 'publicNetworkAccess', 'disabled', 'enabled',
                            'public network access is disabled', 'public network access is enabled',
                            absent_default := 'public network access is enabled by default')
