-- Unauthenticated pull must be off; older API versions do not report it, so absence proves nothing. The logic is
-- property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.containerregistry/registries', 'anonymousPullEnabled', 'false', 'true',
                            'anonymous pull is disabled',
                            'anyone can pull images without credentials (anonymousPullEnabled is true)')
