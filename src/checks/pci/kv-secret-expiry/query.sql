-- attributes.exp is epoch seconds; ARM leaves it out of a present attributes object when there is no expiry.
-- A plan row carries every configured value, so a plan without expiration_date has no expiry either.
select
  id as resource_id,
  tenant_id,
  case
    when properties->>'$.attributes.exp' is not null then 'pass'
    when origin = 'plan' then 'fail'
    when coalesce(json_type(properties->'$.attributes'), 'NULL') <> 'OBJECT' then 'error'
    else 'fail'
  end as status,
  case
    when properties->>'$.attributes.exp' is null and origin = 'plan' then 'the secret has no expiration_date in the plan'
    when coalesce(json_type(properties->'$.attributes'), 'NULL') <> 'OBJECT' then 'attributes is absent'
    when properties->>'$.attributes.exp' is null then 'the secret has no expiry date (attributes.exp not set)'
    else format('the secret has an expiry date: {}', coalesce(
      strftime(to_timestamp(try_cast(properties->>'$.attributes.exp' as bigint)), '%Y-%m-%dT%H:%M:%SZ'),
      properties->>'$.attributes.exp'))
  end as reason,
  json_object(
    'exp', properties->'$.attributes.exp',
    'enabled', properties->'$.attributes.enabled',
    'vault', parent_id
  ) as evidence
from resources
where type = 'microsoft.keyvault/vaults/secrets'
