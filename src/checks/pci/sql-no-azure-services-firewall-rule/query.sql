-- 0.0.0.0–0.0.0.0 is ARM's marker for "any Azure service", whatever the rule is named. Servers and their rules
-- come from sql_server_firewall_rules (src/checks/macros.sql).
with per_server as (
  select
    server_id,
    tenant_id,
    rules_collected,
    list(rule_id order by rule_id) filter (where start_ip = '0.0.0.0' and end_ip = '0.0.0.0') as azure_rules,
    list(rule_id order by rule_id) filter (where rule_id is not null and (start_ip is null or end_ip is null)) as incomplete,
    count(rule_id) as rules
  from sql_server_firewall_rules()
  group by server_id, tenant_id, rules_collected
)
select
  server_id as resource_id,
  tenant_id,
  case
    when len(azure_rules) > 0 then 'fail'
    when not rules_collected then 'error'
    when len(incomplete) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(azure_rules) > 0 then format('firewall rule {} (0.0.0.0–0.0.0.0) admits every Azure service', azure_rules[1])
    when not rules_collected then 'firewall rules of this server were not collected'
    when len(incomplete) > 0 then format('startIpAddress or endIpAddress is absent on firewall rule {}', incomplete[1])
    when rules = 0 then 'no server firewall rules'
    else format('no 0.0.0.0–0.0.0.0 rule among {} firewall rules', rules)
  end as reason,
  json_object('azure_services_rules', azure_rules, 'firewall_rules', rules, 'firewall_rules_collected', rules_collected) as evidence
from per_server
