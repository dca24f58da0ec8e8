-- The monitoring add-on (addonProfiles.omsagent, key matched case-insensitively) must be enabled; the add-on
-- logic is shared with aks-azure-policy-addon in aks_addon_enabled (src/checks/macros.sql).
select resource_id, tenant_id, status, reason,
       json_object('enabled', enabled,
                   'logAnalyticsWorkspaceResourceID', addon->>'$.config.logAnalyticsWorkspaceResourceID') as evidence
from aks_addon_enabled('omsagent', 'monitoring add-on')
