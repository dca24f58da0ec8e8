-- Managed Entra integration only; ARM drops aadProfile entirely when the cluster has none.
with c as (
  select id, tenant_id, properties,
         properties->'$.aadProfile' as aad,
         unknown_at(unknown_paths, 'properties.aadProfile.managed') as aad_unknown,
         properties->>'$.aadProfile.managed' as managed,
         properties->>'$.aadProfile.enableAzureRBAC' as azure_rbac,
         properties->>'$.aadProfile.serverAppID' as server_app
  from resources
  where type = 'microsoft.containerservice/managedclusters'
)
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when aad is null and aad_unknown then 'error'
    when aad is null or json_type(aad) <> 'OBJECT' then 'fail'
    when managed = 'true' then 'pass'
    when managed = 'false' or server_app is not null then 'fail'
    else 'error'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when aad is null and aad_unknown then 'aadProfile is known only after apply'
    when aad is null or json_type(aad) <> 'OBJECT' then 'no Microsoft Entra ID integration (aadProfile is absent)'
    when managed = 'true' then 'managed Microsoft Entra ID integration'
      || case when azure_rbac = 'true' then ' with Azure RBAC authorisation' else ' with Kubernetes RBAC authorisation' end
    when managed = 'false' or server_app is not null then 'legacy (unmanaged) Entra ID integration with server and client apps'
    else 'aadProfile.managed is absent'
  end as reason,
  json_object('managed', managed, 'enableAzureRBAC', azure_rbac, 'legacyServerApp', server_app is not null) as evidence
from c
