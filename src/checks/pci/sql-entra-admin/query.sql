-- An Entra admin lives either inline (properties.administrators) or as a servers/administrators child.
with srv as (
  select
    id,
    tenant_id,
    properties,
    unknown_at(unknown_paths, 'properties.administrators') as admin_unknown,
    properties->'$.administrators' as inline_admin,
    properties->>'$.administrators.administratorType' as inline_type
  from resources
  where type = 'microsoft.sql/servers'
),
child as (
  select
    srv.id as server_id,
    list(a.id order by a.id) filter (where lower(a.properties->>'$.administratorType') = 'activedirectory') as entra,
    list(a.id order by a.id) filter (where a.properties->>'$.administratorType' is null) as untyped
  from srv
  join resources a
    on a.type = 'microsoft.sql/servers/administrators'
   and lower(a.parent_id) = lower(srv.id)
   and a.tenant_id is not distinct from srv.tenant_id
  group by srv.id
)
select
  srv.id as resource_id,
  srv.tenant_id,
  case
    when lower(srv.inline_type) = 'activedirectory' or len(c.entra) > 0 then 'pass'
    when srv.properties is null then 'error'
    when (srv.inline_admin is not null and srv.inline_type is null) or len(c.untyped) > 0 then 'error'
    when srv.admin_unknown then 'error'
    else 'fail'
  end as status,
  case
    when lower(srv.inline_type) = 'activedirectory'
      then format('Entra administrator {} is set', coalesce(srv.properties->>'$.administrators.login', '(login not shown)'))
    when len(c.entra) > 0 then format('Entra administrator {} is set', c.entra[1])
    when srv.properties is null then 'the server''s properties are absent'
    when (srv.inline_admin is not null and srv.inline_type is null) or len(c.untyped) > 0
      then 'administratorType is absent on the server''s administrator'
    when srv.admin_unknown then 'administrators is known only after apply'
    else 'no Microsoft Entra administrator: only SQL logins can administer the server'
  end as reason,
  json_object(
    'administratorType', srv.inline_type,
    'azureADOnlyAuthentication', srv.properties->'$.administrators.azureADOnlyAuthentication',
    'administrator_rows', c.entra
  ) as evidence
from srv
left join child c on c.server_id = srv.id
