-- Only Disabled keeps the server off the internet; firewall rules are a separate check. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.sql/servers', 'publicNetworkAccess', 'disabled', 'enabled',
                            'public network access is disabled', 'public network access is enabled')
