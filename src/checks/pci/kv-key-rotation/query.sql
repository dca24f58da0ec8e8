-- A lifetime action of type rotate (ARM spells it Rotate or rotate) makes the key rotate on its own.
with v as (
  select id, tenant_id, origin,
         properties->'$.rotationPolicy' as policy,
         list_filter(coalesce(cast(json_extract(properties, '$.rotationPolicy.lifetimeActions[*]') as json[]), []),
                     a -> lower(a->>'$.action.type') = 'rotate') as rotate_actions,
         unknown_at(unknown_paths, 'properties.rotationPolicy.lifetimeActions') as actions_unknown
  from resources
  where type = 'microsoft.keyvault/vaults/keys'
)
select
  id as resource_id,
  tenant_id,
  case
    when len(rotate_actions) > 0 then 'pass'
    when actions_unknown then 'error'
    when policy is not null or origin = 'plan' then 'fail'
    else 'error'
  end as status,
  case
    when len(rotate_actions) > 0 then 'the key rotates automatically (' || coalesce(
      'after ' || (rotate_actions[1]->>'$.trigger.timeAfterCreate'),
      (rotate_actions[1]->>'$.trigger.timeBeforeExpiry') || ' before expiry', 'rotate action') || ')'
    when actions_unknown then 'the rotation policy is known only after apply'
    when policy is not null then 'the rotation policy has no rotate action'
    when origin = 'plan' then 'the key has no rotation_policy with automatic rotation in the plan'
    else 'rotationPolicy is absent'
  end as reason,
  json_object('rotationPolicy', policy) as evidence
from v
union all
select id, tenant_id, 'error', 'keys of this vault were not collected', json_object('vault', id, 'collected', false)
from resources
where type = 'microsoft.keyvault/vaults' and not children_collected(id, 'microsoft.keyvault/vaults/keys')
