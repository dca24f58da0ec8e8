-- Only an explicit false shows remote debugging is off; the logic is property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.web/sites', 'siteConfig.remoteDebuggingEnabled', 'false', 'true',
                            'remote debugging is off', 'remote debugging is on')
union all
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.web/sites/slots', 'siteConfig.remoteDebuggingEnabled', 'false', 'true',
                            'remote debugging is off', 'remote debugging is on')
