-- Absent is Enabled in ARM. The logic is property_value_verdict (src/checks/macros.sql); apps on a plan whose tier has
-- no private endpoints (Free, Shared, Consumption) are left out.
with verdicts as (
  select * from property_value_verdict('microsoft.web/sites', 'publicNetworkAccess', 'disabled', 'enabled',
                                       'public network access is disabled', 'public network access is enabled',
                                       absent_default := 'public network access is enabled by default')
  union all
  select * from property_value_verdict('microsoft.web/sites/slots', 'publicNetworkAccess', 'disabled', 'enabled',
                                       'public network access is disabled', 'public network access is enabled',
                                       absent_default := 'public network access is enabled by default')
),
no_private_endpoints as (
  select lower(id) as farm
  from resources
  where type = 'microsoft.web/serverfarms'
    and (upper(sku->>'$.name') in ('F1', 'D1', 'Y1') or lower(sku->>'$.tier') in ('free', 'shared', 'dynamic'))
)
select v.resource_id, v.tenant_id, v.status, v.reason,
       json_merge_patch(v.evidence, json_object('serverFarmId', v.properties->>'$.serverFarmId')) as evidence
from verdicts v
where lower(coalesce(v.properties->>'$.serverFarmId', '')) not in (select farm from no_private_endpoints)
