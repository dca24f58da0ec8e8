-- Blocking (Prevention) and a maintained managed rule set: Microsoft_DefaultRuleSet 2.0 or later. enabledState is
-- Enabled by default in ARM, so only an explicit Disabled fails on it; absent mode or rule sets are missing evidence.
with v as (
  select id, tenant_id,
         lower(properties->>'$.policySettings.enabledState') as state,
         lower(properties->>'$.policySettings.mode') as mode,
         properties->'$.managedRules.managedRuleSets' as sets,
         list_filter(coalesce(cast(json_extract(properties, '$.managedRules.managedRuleSets[*]') as json[]), []),
                     s -> lower(s->>'ruleSetType') = 'microsoft_defaultruleset'
                          and try_cast(s->>'ruleSetVersion' as double) >= 2.0) as current_sets
  from resources
  where type = 'microsoft.network/frontdoorwebapplicationfirewallpolicies'
)
select
  id as resource_id,
  tenant_id,
  case
    when state = 'disabled' or mode = 'detection' then 'fail'
    when mode = 'prevention' and len(current_sets) > 0 then 'pass'
    when mode = 'prevention' and sets is not null then 'fail'
    else 'error'
  end as status,
  case
    when state = 'disabled' then 'the WAF policy is disabled'
    when mode = 'detection' then 'the WAF policy only detects (Detection mode)'
    when mode = 'prevention' and len(current_sets) > 0 then 'the WAF policy blocks with a current managed rule set'
    when mode = 'prevention' and sets is not null
      then 'no current managed rule set (Microsoft_DefaultRuleSet 2.0 or later)'
    else 'policySettings.mode or managedRules.managedRuleSets is absent'
  end as reason,
  json_object('enabledState', state, 'mode', mode, 'managedRuleSets', sets) as evidence
from v
