-- Closed outright (Disabled) or by a default-deny rule set; Basic and Standard tiers have no rule set.
with v as (
  select
    id,
    tenant_id,
    lower(properties->>'$.publicNetworkAccess') as pna,
    properties->'$.networkRuleSet' as rule_set,
    lower(properties->>'$.networkRuleSet.defaultAction') as default_action
  from resources
  where type = 'microsoft.containerregistry/registries'
)
select
  id as resource_id,
  tenant_id,
  case
    when pna = 'disabled' or default_action = 'deny' then 'pass'
    when default_action = 'allow' then 'fail'
    when pna = 'enabled' and rule_set is null then 'fail'
    else 'error'
  end as status,
  case
    when pna = 'disabled' then 'public network access is disabled'
    when default_action = 'deny' then 'network rule set default action is Deny'
    when default_action = 'allow' then 'network rule set default action is Allow: any network may connect'
    when pna = 'enabled' and rule_set is null then 'public network access is enabled and no network rule set is configured'
    when pna = 'enabled' then 'networkRuleSet.defaultAction is absent'
    else 'publicNetworkAccess and networkRuleSet are absent'
  end as reason,
  json_object('publicNetworkAccess', pna, 'networkRuleSet.defaultAction', default_action) as evidence
from v
