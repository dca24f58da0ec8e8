-- Closed outright (Disabled) or by a default-deny networkRuleSet; Basic and Standard tiers have no rule set. The
-- logic is shared with kv-public-network-access in public_access_closed (src/checks/macros.sql).
select * from public_access_closed('microsoft.containerregistry/registries', 'networkRuleSet', 'network rule set',
                                   'no network rule set is configured')
