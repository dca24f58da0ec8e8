-- Secure transfer must be required; an absent flag is missing evidence, not a pass. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.storage/storageaccounts', 'supportsHttpsTrafficOnly', 'true', 'false',
                            'secure transfer (HTTPS only) is required',
                            'HTTP traffic is accepted (supportsHttpsTrafficOnly is false)')
