-- The collector lists secret-bearing attributes whose value is known at plan time (names only, never values).
select
  id as resource_id,
  tenant_id,
  case
    when secrets_type is null or secrets_type <> 'ARRAY' then 'error'
    when n_secrets = 0 then 'pass'
    else 'fail'
  end as status,
  case
    when secrets_type is null or secrets_type <> 'ARRAY' then 'secrets is absent (the plan collector did not report secret attributes)'
    when n_secrets = 0 then 'no secret value is known at plan time'
    else 'secret value(s) stored in plaintext in the plan and state: '
      || array_to_string(list_transform(from_json(secrets, '["json"]'), lambda s: s->>'$.attribute'), ', ')
  end as reason,
  json_object('secrets', secrets, 'planAddress', plan_address) as evidence
from (
  -- each measured once per row, not once per branch that reads it
  select *, json_type(secrets) as secrets_type, json_array_length(secrets) as n_secrets
  from resources
  where origin = 'plan'
)
