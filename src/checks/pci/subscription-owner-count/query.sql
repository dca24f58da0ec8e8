-- Owners counted per subscription over assignments made at exactly the subscription scope. Live rows only:
-- a plan holds just the assignments Terraform manages, so a count over it would say nothing.
with assignments as (
  select id, tenant_id,
         lower(coalesce(properties->>'$.scope',
                        regexp_extract(id, '^(.*)/providers/microsoft\.authorization/roleassignments/[^/]+$', 1))) as scope,
         lower(properties->>'$.roleDefinitionId') as role_id,
         lower(properties->>'$.roleDefinitionName') as role_name,
         lower(properties->>'$.principalId') as principal
  from resources
  where type = 'microsoft.authorization/roleassignments' and origin <> 'plan'
),
at_sub as (
  select *,
         rtrim(scope, '/') as sub,
         role_id like '%/8e3af657-a8ff-443c-a75c-2fe8c4bcb635' or role_id = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'
           or role_name = 'owner' as is_owner,
         role_id is null and role_name is null as role_unknown
  from assignments
  where regexp_matches(scope, '^/subscriptions/[^/]+/?$')
),
sub_rows as (
  select lower(id) as sub, tenant_id from resources where type = 'microsoft.resources/subscriptions' and origin <> 'plan'
),
subs as (
  select sub from at_sub union select sub from sub_rows
),
agg as (
  select s.sub,
         (select tenant_id from sub_rows r where r.sub = s.sub limit 1) as row_tenant,
         exists (select 1 from sub_rows r where r.sub = s.sub) as has_row,
         (select case when count(distinct a.tenant_id) = 1 and count(*) = count(a.tenant_id) then any_value(a.tenant_id) end
            from at_sub a where a.sub = s.sub) as assignment_tenant,
         (select count(distinct principal) from at_sub a where a.sub = s.sub and a.is_owner and a.principal is not null) as owners,
         (select list(distinct principal order by principal) from at_sub a where a.sub = s.sub and a.is_owner and a.principal is not null) as owner_ids,
         (select count(*) from at_sub a where a.sub = s.sub and (a.role_unknown or (a.is_owner and a.principal is null))) as n_unknown
  from subs s
)
select
  sub as resource_id,
  case when has_row then row_tenant else assignment_tenant end as tenant_id,
  case
    when owners > getvariable('max_owners') then 'fail'
    when not assignments_collected then 'error'
    when n_unknown > 0 then 'error'
    when owners < getvariable('min_owners') then 'fail'
    else 'pass'
  end as status,
  case
    when owners > getvariable('max_owners') then owners || ' Owners at subscription scope, more than ' || getvariable('max_owners')
    when not assignments_collected then 'role assignments of this subscription were not collected'
    when n_unknown > 0 then n_unknown || ' role assignment(s) without roleDefinitionId or principalId'
    when owners < getvariable('min_owners') then owners || ' Owners at subscription scope, fewer than ' || getvariable('min_owners')
    else owners || ' Owner(s) at subscription scope'
  end as reason,
  json_object('owners', owners, 'ownerPrincipalIds', owner_ids, 'undeterminedAssignments', n_unknown,
              'assignmentsCollected', assignments_collected,
              'minOwners', getvariable('min_owners'), 'maxOwners', getvariable('max_owners')) as evidence
from (select *, children_collected(sub, 'microsoft.authorization/roleassignments') as assignments_collected from agg)
