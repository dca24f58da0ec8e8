-- "*" in any permission block's actions, assignable at the root, a management group or a whole subscription.
with roles as (
  select id, tenant_id,
         properties->>'$.type' as role_type,
         properties->>'$.roleName' as role_name,
         coalesce(json_type(properties->'$.permissions') = 'ARRAY', false) as has_perms,
         case when json_type(properties->'$.assignableScopes') = 'ARRAY'
              then from_json(properties->'$.assignableScopes', '["varchar"]') end as scopes,
         case when json_type(properties->'$.permissions') = 'ARRAY'
              then flatten(list_transform(from_json(properties->'$.permissions', '["json"]'),
                                          lambda p: coalesce(from_json(p->'$.actions', '["varchar"]'), [])))
         end as actions
  from resources
  where type = 'microsoft.authorization/roledefinitions'
    and (properties->>'$.type' is null or lower(properties->>'$.type') <> 'builtinrole')
),
judged as (
  select *,
         list_contains(actions, '*') as wildcard,
         list_filter(scopes, lambda s: rtrim(lower(s), '/') = ''
                                    or regexp_matches(lower(s), '^/subscriptions/[^/]+/?$')
                                    or lower(s) like '/providers/microsoft.management/managementgroups/%') as broad
  from roles
)
select
  id as resource_id,
  tenant_id,
  case
    when role_type is null then 'error'
    when not has_perms then 'error'
    when not wildcard then 'pass'
    when scopes is null then 'error'
    when len(broad) > 0 then 'fail'
    else 'pass'
  end as status,
  case
    when role_type is null then 'role definition type is absent'
    when not has_perms then 'permissions is absent'
    when not wildcard then 'custom role ' || coalesce(role_name, '') || ' grants no "*" action'
    when scopes is null then 'custom role grants "*" and assignableScopes is absent'
    when len(broad) > 0 then 'custom role ' || coalesce(role_name, '') || ' grants "*" at ' || array_to_string(broad, ', ')
    else 'custom role grants "*" only below subscription scope'
  end as reason,
  json_object('roleName', role_name, 'roleType', role_type, 'actions', actions, 'assignableScopes', scopes) as evidence
from judged
