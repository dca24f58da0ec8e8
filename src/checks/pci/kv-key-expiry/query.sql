-- attributes.exp is epoch seconds; ARM leaves it out of a present attributes object when there is no expiry.
select
  id as resource_id,
  tenant_id,
  case
    when coalesce(json_type(properties->'$.attributes'), 'NULL') <> 'OBJECT' then 'error'
    when properties->>'$.attributes.exp' is null then 'fail'
    else 'pass'
  end as status,
  case
    when coalesce(json_type(properties->'$.attributes'), 'NULL') <> 'OBJECT' then 'attributes is absent'
    when properties->>'$.attributes.exp' is null then 'the key has no expiry date (attributes.exp not set)'
    else format('the key expires at {}', coalesce(
      strftime(to_timestamp(try_cast(properties->>'$.attributes.exp' as bigint)), '%Y-%m-%dT%H:%M:%SZ'),
      properties->>'$.attributes.exp'))
  end as reason,
  json_object(
    'exp', properties->'$.attributes.exp',
    'enabled', properties->'$.attributes.enabled',
    'vault', parent_id
  ) as evidence
from resources
where type = 'microsoft.keyvault/vaults/keys'
