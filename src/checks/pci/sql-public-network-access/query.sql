-- Only Disabled keeps the server off the internet; firewall rules are a separate check. Public access is on by
-- default (azurerm public_network_access_enabled defaults to true), so absence fails. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.sql/servers', 'publicNetworkAccess', 'disabled', 'enabled',
                            'public network access is disabled', 'public network access is enabled',
                            absent_default := 'public network access is enabled by default')
