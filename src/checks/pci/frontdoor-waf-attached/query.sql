-- Classic: every frontend endpoint links a WAF policy. Standard/Premium: a WebApplicationFirewall security policy
-- naming a WAF policy sits under the profile (same tenant); none found counts only when the profile's security
-- policies were collected whole (children_collected; a plan declares them all).
with classic as (
  select id, tenant_id, properties->'$.frontendEndpoints' as endpoints,
         list_transform(list_filter(coalesce(cast(json_extract(properties, '$.frontendEndpoints[*]') as json[]), []),
                                    e -> nullif(e->>'$.properties.webApplicationFirewallPolicyLink.id', '') is null),
                        e -> coalesce(e->>'$.name', '(unnamed)')) as unprotected
  from resources
  where type = 'microsoft.network/frontdoors'
),
profiles as (
  select id, tenant_id, sku->>'$.name' as sku_name,
         children_collected(id, 'microsoft.cdn/profiles/securitypolicies') as collected
  from resources
  where type = 'microsoft.cdn/profiles'
    and (sku->>'$.name' is null or lower(sku->>'$.name') like '%_azurefrontdoor')
),
wafs as (
  select lower(sp.parent_id) as profile, sp.tenant_id,
         list(sp.properties->>'$.parameters.wafPolicy.id' order by sp.properties->>'$.parameters.wafPolicy.id') as waf_policies
  from resources sp
  where sp.type = 'microsoft.cdn/profiles/securitypolicies'
    and lower(sp.properties->>'$.parameters.type') = 'webapplicationfirewall'
    and nullif(sp.properties->>'$.parameters.wafPolicy.id', '') is not null
  group by lower(sp.parent_id), sp.tenant_id
)
select
  id as resource_id,
  tenant_id,
  case
    when coalesce(json_type(endpoints), 'NULL') <> 'ARRAY' or json_array_length(endpoints) = 0 then 'error'
    when len(unprotected) > 0 then 'fail'
    else 'pass'
  end as status,
  case
    when coalesce(json_type(endpoints), 'NULL') <> 'ARRAY' or json_array_length(endpoints) = 0 then 'frontendEndpoints is absent'
    when len(unprotected) > 0 then 'frontend endpoint(s) without a WAF policy: ' || array_to_string(list_sort(unprotected), ', ')
    else 'every frontend endpoint (' || json_array_length(endpoints) || ') links a WAF policy'
  end as reason,
  json_object('unprotectedEndpoints', unprotected) as evidence
from classic
union all
select
  p.id,
  p.tenant_id,
  case
    when p.sku_name is null then 'error'
    when w.profile is not null then 'pass'
    when p.collected then 'fail'
    else 'error'
  end,
  case
    when p.sku_name is null then 'sku.name is absent: not known to be a Front Door profile'
    when w.profile is not null then 'a WAF security policy protects the profile (' || array_to_string(w.waf_policies, ', ') || ')'
    when p.collected then 'no security policy attaches a WAF policy to the profile'
    else 'the security policies of this profile were not collected'
  end,
  json_object('sku', p.sku_name, 'wafPolicies', w.waf_policies, 'securityPoliciesCollected', p.collected)
from profiles p
left join wafs w on w.profile = lower(p.id) and w.tenant_id is not distinct from p.tenant_id
