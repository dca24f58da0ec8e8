-- RBAC is on only when ARM says true; an absent flag is missing evidence, not a pass.
select
  id as resource_id,
  tenant_id,
  case properties->>'$.enableRBAC'
    when 'true' then 'pass'
    when 'false' then 'fail'
    else 'error'
  end as status,
  case properties->>'$.enableRBAC'
    when 'true' then 'Kubernetes RBAC is enabled'
    when 'false' then 'Kubernetes RBAC is disabled (enableRBAC is false)'
    else 'enableRBAC is absent'
  end as reason,
  json_object('enableRBAC', properties->'$.enableRBAC') as evidence
from resources
where type = 'microsoft.containerservice/managedclusters'
