-- Disabled is the only value that keeps the server off the internet. The logic is property_value_verdict
-- (src/checks/macros.sql); the evidence adds the delegated subnet.
select resource_id, tenant_id, status, reason,
       json_object(
         'network.publicNetworkAccess', properties->'$.network.publicNetworkAccess',
         'delegatedSubnetResourceId', properties->'$.network.delegatedSubnetResourceId'
       ) as evidence
from property_value_verdict('microsoft.dbforpostgresql/flexibleservers', 'network.publicNetworkAccess', 'disabled', 'enabled',
                            'public network access is disabled', 'public network access is enabled')
