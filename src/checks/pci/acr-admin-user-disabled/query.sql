-- The admin user is a shared credential; only an explicit false shows it is off. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.containerregistry/registries', 'adminUserEnabled', 'false', 'true',
                            'the admin user is disabled', 'the shared admin user is enabled')
