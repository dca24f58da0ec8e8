-- Changes to production resources and who made them, against the configured pipeline identities.
with prod_envs as (select unnest(csv_items(lower(getvariable('production_environments')))) as env),
pipeline as (
  select if(strpos(item, ':') > 0, split_part(item, ':', 1), null) as tenant, trim(substr(item, strpos(item, ':') + 1)) as who
  from (select unnest(csv_items(lower(getvariable('pipeline_identities')))) as item)
  where item <> ''
),
prod_tracked as (
  select tenant_id, resource_id, min(workspace_key) as workspace_key
  from iac_resources
  where document = 'state' and resource_id is not null and environment in (select env from prod_envs)
  group by all
),
changes as (
  select c.*, t.workspace_key,
         c.changed_by is null as anonymous,
         c.changed_by is not null and lower(c.changed_by) not in
           (select who from pipeline p where p.tenant is null or p.tenant = lower(c.tenant_id)) as outside
  from resource_changes c
  left join prod_tracked t on t.resource_id = c.resource_id and t.tenant_id is not distinct from c.tenant_id
  where t.resource_id is not null
     or split_part(regexp_extract(c.resource_id, '/resourcegroups/([^/]+)', 1), '-', -1) in (select env from prod_envs)
),
per_resource as (
  select resource_id, tenant_id, min(workspace_key) as workspace_key,
         exists (select 1 from pipeline p where p.tenant is null or p.tenant = lower(tenant_id)) as has_pipeline,
         count(*) filter (where outside) as outside_n,
         count(*) filter (where anonymous) as anonymous_n,
         count(*) as n,
         list_sort(list(distinct changed_by) filter (where outside)) as outsiders,
         list(json_object('at', strftime(changed_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ'), 'by', changed_by,
                          'client', client_type, 'changeType', change_type, 'operation', operation,
                          'properties', changed_properties) order by changed_at) as log
  from changes
  group by resource_id, tenant_id
)
select
  resource_id,
  tenant_id,
  case
    when not has_pipeline then 'error'
    when outside_n > 0 then 'fail'
    when anonymous_n > 0 then 'error'
    else 'pass'
  end as status,
  case
    when not has_pipeline then 'no pipeline identity configured for the tenant (check_params.iac-out-of-band-change.pipeline_identities)'
    when outside_n > 0 then outside_n || ' of ' || n || ' changes made outside the pipeline by ' || array_to_string(outsiders, ', ')
    when anonymous_n > 0 then anonymous_n || ' of ' || n || ' changes record no principal: cannot tell whether the pipeline made them'
    else 'all ' || n || ' recorded changes made by pipeline identities'
  end as reason,
  json_object('resourceId', resource_id, 'stateKey', workspace_key, 'changes', log) as evidence
from per_resource
