-- Only an explicit true redirects HTTP to HTTPS; false is ARM's default. The logic is property_value_verdict
-- (src/checks/macros.sql), over apps and their deployment slots.
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.web/sites', 'httpsOnly', 'true', 'false',
                            'the app accepts HTTPS only', 'the app accepts plain HTTP',
                            absent_default := 'plain HTTP is accepted by default')
union all
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.web/sites/slots', 'httpsOnly', 'true', 'false',
                            'the slot accepts HTTPS only', 'the slot accepts plain HTTP',
                            absent_default := 'plain HTTP is accepted by default')
