-- Port 6379 is plain text; only an explicit false shows it is closed. The logic is property_value_verdict
-- (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.cache/redis', 'enableNonSslPort', 'false', 'true',
                            'the non-TLS port is disabled', 'the non-TLS port 6379 is enabled')
