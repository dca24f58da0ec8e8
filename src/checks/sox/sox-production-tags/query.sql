-- Tag keys are matched case-insensitively and empty values count as absent. Anything not explicitly tagged
-- with a non-production environment is treated as production (fail closed).
with candidates as (
  select r.id, r.tenant_id, r.type, unknown_at(r.unknown_paths, 'tags') as tags_unknown,
         case when json_type(r.tags) = 'OBJECT' then r.tags end as tags
  from resources r
  where not (
       r.type like 'microsoft.authorization/%'
    or r.type like 'microsoft.security/%'
    or r.type = 'microsoft.insights/diagnosticsettings'
    or r.type like 'microsoft.network/networksecuritygroups/%'
    or r.type like 'microsoft.network/virtualnetworks/%'
    or r.type like 'microsoft.network/privateendpoints/%'
    or (r.type like 'microsoft.sql/servers/%' and r.type not in ('microsoft.sql/servers/databases', 'microsoft.sql/servers/elasticpools'))
    or r.type like 'microsoft.containerservice/managedclusters/%'
    or r.type like 'microsoft.keyvault/vaults/%'
    or r.type like 'microsoft.storage/storageaccounts/%'
    or r.type like 'microsoft.operationalinsights/workspaces/%'
    or r.type = 'microsoft.resources/subscriptions')
    -- a plan resource that is only being destroyed will carry no tags
    and not (r.origin = 'plan' and r.plan_actions = ['delete'])
),
tagged as (
  select c.*,
         coalesce((select list(lower(key)) from json_each(c.tags) where coalesce(value->>'$', '') <> ''), []) as keys,
         (select lower(trim(value->>'$')) from json_each(c.tags) where lower(key) = 'environment' limit 1) as env,
         (select lower(trim(value->>'$')) from json_each(c.tags) where lower(key) = 'managedby' limit 1) as managed_by,
         t.frameworks,
         t.tenant_id is not null as tenant_known
  from candidates c
  left join tenants t on t.tenant_id = c.tenant_id
),
judged as (
  select *,
         list_contains(list_transform(string_split(getvariable('nonprod_environments'), ','), lambda e: lower(trim(e))), env) as nonprod,
         list_filter([
           case when not list_contains(keys, 'customerid') then 'CustomerID' end,
           case when not list_contains(keys, 'environment') then 'Environment' end,
           case when managed_by is distinct from 'terraform' then 'ManagedBy=terraform' end,
           case when list_contains(frameworks, 'pci-dss-4.0.1') and not list_contains(keys, 'compliance-pci') then 'Compliance-PCI' end,
           case when list_contains(frameworks, 'sox-itgc') and not list_contains(keys, 'compliance-sox') then 'Compliance-SOX' end,
           case when tenant_id is null and len(list_filter(keys, lambda k: k like 'compliance-%')) = 0 then 'Compliance-*' end
         ], lambda m: m is not null) as missing
  from tagged
)
select
  id as resource_id,
  tenant_id,
  case
    when nonprod then 'pass'
    when tags_unknown then 'error'
    when len(missing) > 0 then 'fail'
    when tenant_id is not null and not tenant_known then 'error'
    else 'pass'
  end as status,
  case
    when nonprod then 'explicitly non-production (Environment ' || env || ')'
    when tags_unknown then 'tags are known only after apply'
    when len(missing) > 0 then
      case when env is null then 'no Environment tag, so treated as production; '
           when env not in ('prod', 'production') then 'Environment ' || env || ' is not a listed non-production value, so treated as production; '
           else 'production resource; ' end
      || 'missing tags: ' || array_to_string(missing, ', ')
    when tenant_id is not null and not tenant_known then 'tenant ' || tenant_id || ' is not in the run''s tenants: its compliance tags cannot be decided'
    else 'production resource carries the required tags'
  end as reason,
  json_object('environment', env, 'managedBy', managed_by, 'missingTags', missing, 'tenantFrameworks', frameworks) as evidence
from judged
