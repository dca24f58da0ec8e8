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
         end as actions,
         -- a block without its actions list (ARM always writes one; a plan's may be unknown or sensitive) may hold "*"
         json_type(properties->'$.permissions') = 'ARRAY'
           and len(list_filter(from_json(properties->'$.permissions', '["json"]'),
                               lambda p: coalesce(json_type(p->'$.actions') <> 'ARRAY', true))) > 0 as actions_missing
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
    when not wildcard and not actions_missing then 'pass'
    when scopes is null then 'error'
    when len(broad) > 0 and wildcard then 'fail'
    when len(broad) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when role_type is null then 'role definition type is absent'
    when not has_perms then 'permissions is absent'
    when not wildcard and not actions_missing then 'custom role ' || coalesce(role_name, '') || ' grants no "*" action'
    when scopes is null and wildcard then 'custom role grants "*" and assignableScopes is absent'
    when scopes is null then 'a permission block''s actions and assignableScopes are absent'
    when len(broad) > 0 and wildcard then 'custom role ' || coalesce(role_name, '') || ' grants "*" at ' || array_to_string(broad, ', ')
    when len(broad) > 0 then 'a permission block''s actions are absent, and the role is assignable at ' || array_to_string(broad, ', ')
    when wildcard then 'custom role grants "*" only below subscription scope'
    else 'custom role is assignable only below subscription scope'
  end as reason,
  json_object('roleName', role_name, 'roleType', role_type, 'actions', actions, 'assignableScopes', scopes) as evidence
from judged
