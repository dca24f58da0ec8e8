-- ARM has no guest flag; properties.principalUserType is the collector's Microsoft Graph userType.
with a as (
  select id, tenant_id,
         lower(properties->>'$.roleDefinitionId') as role_id,
         lower(properties->>'$.roleDefinitionName') as role_name,
         properties->>'$.principalId' as principal,
         properties->>'$.principalType' as ptype,
         properties->>'$.principalUserType' as utype,
         properties->>'$.scope' as scope
  from resources
  where type = 'microsoft.authorization/roleassignments'
),
owners as (
  select *, role_id is null and role_name is null as role_unknown
  from a
  where role_id is null and role_name is null
     or role_id like '%8e3af657-a8ff-443c-a75c-2fe8c4bcb635'
     or role_name = 'owner'
)
select
  id as resource_id,
  tenant_id,
  case
    when role_unknown then 'error'
    when ptype is null then 'error'
    when lower(ptype) = 'foreigngroup' then 'fail'
    when lower(ptype) <> 'user' then 'pass'
    when lower(utype) = 'guest' then 'fail'
    when lower(utype) = 'member' then 'pass'
    else 'error'
  end as status,
  case
    when role_unknown then 'roleDefinitionId is absent (the assignment may be Owner)'
    when ptype is null then 'principalType is absent'
    when lower(ptype) = 'foreigngroup' then 'Owner held by an external (foreign) group'
    when lower(ptype) <> 'user' then 'Owner held by a ' || ptype || ', not a guest user'
    when lower(utype) = 'guest' then 'Owner held by a guest user'
    when lower(utype) = 'member' then 'Owner held by a member user'
    when utype is null then 'principalUserType is absent for a User principal'
    else 'unrecognised principalUserType ' || utype
  end as reason,
  json_object('principalId', principal, 'principalType', ptype, 'principalUserType', utype, 'scope', scope) as evidence
from owners
union all
-- a subscription whose role assignments were not listed may hold a guest Owner nobody saw
select sub, tenant_id, 'error', 'role assignments of this subscription were not collected',
       json_object('subscription', sub, 'collected', false)
from live_subscriptions()
where not children_collected(sub, 'microsoft.authorization/roleassignments')
