-- Production state files, when each was last written, and the latest recorded change to its environment's resources.
with prod_envs as (select unnest(csv_items(lower(getvariable('production_environments')))) as env),
states as (
  select workspace_key, tenant_id, environment, max(last_modified) as written, count(last_modified) = count(*) as dated
  from iac_resources
  where document = 'state' and environment in (select env from prod_envs)
  group by workspace_key, tenant_id, environment
),
latest as (
  select s.workspace_key, max(c.changed_at) as last_change,
         arg_max(c.resource_id, c.changed_at) as last_resource, arg_max(c.changed_by, c.changed_at) as last_by
  from states s
  join resource_changes c on c.tenant_id = s.tenant_id
   and (c.resource_id in (select resource_id from iac_resources i where i.workspace_key = s.workspace_key and i.tenant_id = s.tenant_id)
        or split_part(regexp_extract(c.resource_id, '/resourcegroups/([^/]+)', 1), '-', -1) = s.environment)
  group by s.workspace_key
)
select
  'iac://' || s.workspace_key as resource_id,
  s.tenant_id,
  case
    when not s.dated or s.written is null then 'error'
    when not s.changes_collected then 'error'
    when l.last_change > s.written + to_days(cast(getvariable('max_age_days') as integer)) then 'fail'
    else 'pass'
  end as status,
  case
    when not s.dated or s.written is null then 'the state file''s last-modified time is unknown'
    when not s.changes_collected then 'no resourcechanges collected for the tenant: cannot tell whether live resources changed'
    when l.last_change > s.written + to_days(cast(getvariable('max_age_days') as integer)) then
      'state last written ' || strftime(s.written at time zone 'UTC', '%Y-%m-%d') || ' but ' || l.last_resource
      || ' changed on ' || strftime(l.last_change at time zone 'UTC', '%Y-%m-%d') || ' (more than '
      || getvariable('max_age_days') || ' days later)'
    else 'state last written ' || strftime(s.written at time zone 'UTC', '%Y-%m-%d') || '; no change recorded more than '
      || getvariable('max_age_days') || ' days later'
  end as reason,
  json_object('stateKey', s.workspace_key, 'environment', s.environment,
              'lastWritten', strftime(s.written at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ'),
              'lastChange', strftime(l.last_change at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ'),
              'lastChangedResource', l.last_resource, 'lastChangedBy', l.last_by) as evidence
from (
  select s.*, exists (select 1 from source_status st where st.source = 'resource-changes'
                      and (st.tenant_id is null or st.tenant_id = s.tenant_id)) as changes_collected
  from states s
) s
left join latest l using (workspace_key)
