-- Disabled is the only value that keeps the server off the internet; the logic is property_value_verdict.
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.dbformysql/flexibleservers', 'network.publicNetworkAccess', 'disabled', 'enabled',
                            'public network access is disabled', 'public network access is enabled')
