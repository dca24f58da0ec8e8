-- Blocking (Prevention) and a maintained rule set: OWASP CRS 3.2+ or Microsoft_DefaultRuleSet.
with v as (
  select id, tenant_id,
         lower(properties->>'$.policySettings.state') as state,
         lower(properties->>'$.policySettings.mode') as mode,
         properties->'$.managedRules.managedRuleSets' as sets,
         list_filter(coalesce(cast(json_extract(properties, '$.managedRules.managedRuleSets[*]') as json[]), []),
                     s -> lower(s->>'ruleSetType') = 'microsoft_defaultruleset'
                          or (lower(s->>'ruleSetType') = 'owasp' and try_cast(s->>'ruleSetVersion' as double) >= 3.2)) as current_sets
  from resources
  where type = 'microsoft.network/applicationgatewaywebapplicationfirewallpolicies'
)
select
  id as resource_id,
  tenant_id,
  case
    when state = 'disabled' or mode = 'detection' then 'fail'
    when state = 'enabled' and mode = 'prevention' and len(current_sets) > 0 then 'pass'
    when state = 'enabled' and mode = 'prevention' and json_array_length(sets) > 0 then 'fail'
    else 'error'
  end as status,
  case
    when state = 'disabled' then 'the WAF policy is disabled'
    when mode = 'detection' then 'the WAF policy only detects (Detection mode)'
    when state = 'enabled' and mode = 'prevention' and len(current_sets) > 0 then 'the WAF policy blocks with a current rule set'
    when state = 'enabled' and mode = 'prevention' and json_array_length(sets) > 0 then 'no current rule set (OWASP 3.2+ or Microsoft_DefaultRuleSet)'
    else 'policySettings.state, policySettings.mode or managedRules.managedRuleSets is absent'
  end as reason,
  json_object('state', state, 'mode', mode, 'managedRuleSets', sets) as evidence
from v
