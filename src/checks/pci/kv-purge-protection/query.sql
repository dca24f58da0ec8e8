-- Purge protection is off unless ARM says true; an absent flag is missing evidence, not a pass.
select
  id as resource_id,
  tenant_id,
  case properties->>'$.enablePurgeProtection'
    when 'true' then 'pass'
    when 'false' then 'fail'
    else 'error'
  end as status,
  case properties->>'$.enablePurgeProtection'
    when 'true' then 'purge protection is enabled'
    when 'false' then 'purge protection is disabled'
    else 'enablePurgeProtection is absent'
  end as reason,
  json_object('enablePurgeProtection', properties->'$.enablePurgeProtection') as evidence
from resources
where type = 'microsoft.keyvault/vaults'
