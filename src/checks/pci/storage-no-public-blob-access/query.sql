-- Anonymous access must be impossible at account level, whatever each container says. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.storage/storageaccounts', 'allowBlobPublicAccess', 'false', 'true',
                            'anonymous blob access is disallowed for the account',
                            'containers may be opened to anonymous public read (allowBlobPublicAccess is true)')
