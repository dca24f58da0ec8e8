-- A customer key is shown by the encryption type, or by a disk encryption set (which only ever holds customer keys).
with d as (
  select id, tenant_id,
         properties->>'$.encryption.type' as enc_type,
         nullif(properties->>'$.encryption.diskEncryptionSetId', '') as des
  from resources
  where type = 'microsoft.compute/disks'
)
select
  id as resource_id,
  tenant_id,
  case
    when lower(enc_type) in ('encryptionatrestwithcustomerkey', 'encryptionatrestwithplatformandcustomerkeys') then 'pass'
    when lower(enc_type) = 'encryptionatrestwithplatformkey' then 'fail'
    when enc_type is null and des is not null then 'pass'
    else 'error'
  end as status,
  case
    when lower(enc_type) in ('encryptionatrestwithcustomerkey', 'encryptionatrestwithplatformandcustomerkeys') then 'encrypted with a customer-managed key (' || enc_type || ')'
    when lower(enc_type) = 'encryptionatrestwithplatformkey' then 'encrypted with a platform-managed key only'
    when enc_type is null and des is not null then 'encrypted through disk encryption set ' || regexp_extract(des, '[^/]+$')
    when enc_type is null then 'encryption.type is absent'
    else 'unrecognised encryption.type ' || enc_type
  end as reason,
  json_object('encryptionType', enc_type, 'diskEncryptionSetId', des) as evidence
from d
