-- Documented default: encryption at host is disabled unless encryptionAtHost is true, so absent fails.
select
  id as resource_id,
  tenant_id,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'error'
    when properties->>'$.securityProfile.encryptionAtHost' = 'true' then 'pass'
    when properties->>'$.securityProfile.encryptionAtHost' is null
         and unknown_at(unknown_paths, 'properties.securityProfile.encryptionAtHost') then 'error'
    else 'fail'
  end as status,
  case
    when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
    when properties->>'$.securityProfile.encryptionAtHost' = 'true' then 'encryption at host is enabled'
    when properties->>'$.securityProfile.encryptionAtHost' = 'false' then 'encryption at host is disabled'
    when unknown_at(unknown_paths, 'properties.securityProfile.encryptionAtHost') then 'encryptionAtHost is known only after apply'
    else 'encryption at host is not set (securityProfile.encryptionAtHost is absent; disabled by default)'
  end as reason,
  json_object('encryptionAtHost', properties->'$.securityProfile.encryptionAtHost',
              'securityType', properties->>'$.securityProfile.securityType') as evidence
from resources
where type = 'microsoft.compute/virtualmachines'
