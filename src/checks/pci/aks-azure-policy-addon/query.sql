-- The Azure Policy add-on (addonProfiles.azurepolicy, key matched case-insensitively) must be enabled; the add-on
-- logic is shared with aks-monitoring-addon in aks_addon_enabled (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, json_object('azurepolicy', addon) as evidence
from aks_addon_enabled('azurepolicy', 'Azure Policy add-on')
