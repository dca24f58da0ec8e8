-- Public = a frontend IP configuration with a public IP address. A linked WAF policy is judged on its own.
with v as (
  select id, tenant_id,
         properties->'$.frontendIPConfigurations' as frontends,
         len(list_filter(coalesce(cast(json_extract(properties, '$.frontendIPConfigurations[*]') as json[]), []),
                         f -> nullif(f->>'$.properties.publicIPAddress.id', '') is not null)) as public_frontends,
         properties->>'$.sku.tier' as tier,
         nullif(properties->>'$.firewallPolicy.id', '') as policy,
         lower(properties->>'$.webApplicationFirewallConfiguration.enabled') as waf_enabled,
         lower(properties->>'$.webApplicationFirewallConfiguration.firewallMode') as waf_mode
  from resources
  where type = 'microsoft.network/applicationgateways'
)
select
  id as resource_id,
  tenant_id,
  case
    when coalesce(json_array_length(frontends), 0) = 0 then 'error'
    when public_frontends = 0 then 'pass'
    when lower(tier) in ('standard', 'standard_v2', 'basic') then 'fail'
    when lower(tier) not in ('waf', 'waf_v2') or tier is null then 'error'
    when policy is not null then 'pass'
    when waf_enabled = 'true' and waf_mode = 'prevention' then 'pass'
    when waf_enabled = 'false' or waf_mode = 'detection' then 'fail'
    else 'error'
  end as status,
  case
    when coalesce(json_array_length(frontends), 0) = 0 then 'frontendIPConfigurations is absent'
    when public_frontends = 0 then 'no public frontend IP: not public-facing'
    when lower(tier) in ('standard', 'standard_v2', 'basic') then 'public gateway of tier ' || tier || ' has no WAF'
    when tier is null then 'sku.tier is absent'
    when lower(tier) not in ('waf', 'waf_v2') then 'unrecognised sku.tier ' || tier
    when policy is not null then 'a WAF policy is linked: ' || regexp_extract(policy, '[^/]+$')
    when waf_enabled = 'true' and waf_mode = 'prevention' then 'the WAF is enabled in Prevention mode'
    when waf_enabled = 'false' then 'the WAF is disabled'
    when waf_mode = 'detection' then 'the WAF only detects (Detection mode)'
    else 'neither firewallPolicy nor webApplicationFirewallConfiguration (enabled, firewallMode) is reported'
  end as reason,
  json_object('publicFrontends', public_frontends, 'tier', tier, 'firewallPolicy', policy,
              'wafEnabled', waf_enabled, 'wafMode', waf_mode) as evidence
from v
