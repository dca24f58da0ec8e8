-- ARM's top-level identity (the resources.identity column, src/model.ts): SystemAssigned passes; UserAssigned passes
-- when it names an identity; None fails. A null column is a source that did not report identity: missing evidence.
with apps as (
  select id, tenant_id, identity,
         lower(replace(identity->>'$.type', ' ', '')) as kind,
         json_type(identity->'$.userAssignedIdentities') = 'OBJECT'
           and len(json_keys(identity->'$.userAssignedIdentities')) > 0 as names_user_identity
  from resources
  where type in ('microsoft.web/sites', 'microsoft.web/sites/slots')
)
select
  id as resource_id,
  tenant_id,
  case
    when kind in ('systemassigned', 'systemassigned,userassigned') then 'pass'
    when kind = 'userassigned' and names_user_identity then 'pass'
    when kind = 'none' then 'fail'
    else 'error'
  end as status,
  case
    when kind in ('systemassigned', 'systemassigned,userassigned') then 'runs under a system-assigned managed identity'
    when kind = 'userassigned' and names_user_identity then 'runs under a user-assigned managed identity'
    when kind = 'none' then 'no managed identity'
    when identity is null then 'identity was not reported by the source'
    when kind is null then 'identity.type is absent'
    when kind = 'userassigned' then 'identity is UserAssigned but names no user-assigned identity'
    else format('unrecognised identity.type value {}', identity->>'$.type')
  end as reason,
  json_object('identity', identity) as evidence
from apps
