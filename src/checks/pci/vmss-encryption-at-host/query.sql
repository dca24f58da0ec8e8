-- Documented default: disabled unless true, so absence fails. The logic is property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.compute/virtualmachinescalesets',
                            'virtualMachineProfile.securityProfile.encryptionAtHost', 'true', 'false',
                            'encryption at host is enabled', 'encryption at host is disabled',
                            absent_default := 'encryption at host is disabled by default')
