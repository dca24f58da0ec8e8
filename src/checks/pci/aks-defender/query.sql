-- The sensor is on only when ARM says securityMonitoring.enabled = true; no defender profile means no sensor.
with c as (
  select id, tenant_id, properties,
         properties->'$.securityProfile.defender' as defender,
         unknown_at(unknown_paths, 'properties.securityProfile.defender.securityMonitoring.enabled') as defender_unknown,
         properties->>'$.securityProfile.defender.securityMonitoring.enabled' as enabled
  from resources
  where type = 'microsoft.containerservice/managedclusters'
)
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when defender is null and defender_unknown then 'error'
    when defender is null or json_type(defender) <> 'OBJECT' then 'fail'
    when enabled = 'true' then 'pass'
    when enabled = 'false' then 'fail'
    else 'error'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when defender is null and defender_unknown then 'securityProfile.defender is known only after apply'
    when defender is null or json_type(defender) <> 'OBJECT' then 'Defender sensor is not configured (securityProfile.defender is absent)'
    when enabled = 'true' then 'Defender sensor is enabled'
    when enabled = 'false' then 'Defender sensor is disabled'
    else 'securityProfile.defender.securityMonitoring.enabled is absent'
  end as reason,
  json_object('securityMonitoringEnabled', enabled,
              'logAnalyticsWorkspaceResourceId', defender->>'$.logAnalyticsWorkspaceResourceId') as evidence
from c
