-- Add-on keys are matched case-insensitively: ARM has returned both azurepolicy and azurePolicy.
with c as (
  select id, tenant_id, properties,
         (select value from json_each(properties->'$.addonProfiles') where lower(key) = 'azurepolicy' limit 1) as addon
  from resources
  where type = 'microsoft.containerservice/managedclusters'
),
v as (select *, addon->>'$.enabled' as enabled from c)
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when addon is null then 'fail'
    when enabled = 'true' then 'pass'
    when enabled = 'false' then 'fail'
    else 'error'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when addon is null then 'Azure Policy add-on is not configured (no azurepolicy entry in addonProfiles)'
    when enabled = 'true' then 'Azure Policy add-on is enabled'
    when enabled = 'false' then 'Azure Policy add-on is disabled'
    else 'addonProfiles.azurepolicy.enabled is absent'
  end as reason,
  json_object('azurepolicy', addon) as evidence
from v
