-- Double encryption is decided at creation; only an explicit true shows it is on, and it is off by default
-- (azurerm infrastructure_encryption_enabled defaults to false), so absence fails. The logic is
-- property_value_verdict (src/checks/macros.sql); the evidence adds the key source.
select resource_id, tenant_id, status, reason,
       json_object(
         'encryption.requireInfrastructureEncryption', properties->'$.encryption.requireInfrastructureEncryption',
         'keySource', properties->'$.encryption.keySource'
       ) as evidence
from property_value_verdict('microsoft.storage/storageaccounts', 'encryption.requireInfrastructureEncryption', 'true', 'false',
                            'infrastructure encryption is enabled', 'infrastructure encryption is disabled',
                            absent_default := 'infrastructure encryption is off by default')
