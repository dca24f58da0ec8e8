-- The collector lists secret-bearing attributes whose value is known at plan time (names only, never values).
select
  id as resource_id,
  tenant_id,
  case
    when secrets is null or json_type(secrets) <> 'ARRAY' then 'error'
    when json_array_length(secrets) = 0 then 'pass'
    else 'fail'
  end as status,
  case
    when secrets is null or json_type(secrets) <> 'ARRAY' then 'secrets is absent (the plan collector did not report secret attributes)'
    when json_array_length(secrets) = 0 then 'no secret value is known at plan time'
    else 'secret value(s) stored in plaintext in the plan and state: '
      || array_to_string(list_transform(from_json(secrets, '["json"]'), lambda s: s->>'$.attribute'), ', ')
  end as reason,
  json_object('secrets', secrets, 'planAddress', plan_address) as evidence
from resources
where origin = 'plan'
