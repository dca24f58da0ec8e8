-- A firewall rule spanning max_rule_addresses or more IPv4 addresses admits the whole internet. Servers and their
-- rules, with addresses as integers, come from sql_server_firewall_rules (src/checks/macros.sql).
with per_server as (
  select
    server_id,
    tenant_id,
    rules_collected,
    -- ordered by rule id (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': rule_id, 'value': rule_id || ' (' || start_ip || '–' || end_ip || ')'})
      filter (where end_n - start_n + 1 >= getvariable('max_rule_addresses'))) as open_rules,
    list(rule_id order by rule_id) filter (where rule_id is not null and (start_n is null or end_n is null)) as unreadable,
    count(rule_id) as rules
  from sql_server_firewall_rules()
  group by server_id, tenant_id, rules_collected
)
select
  server_id as resource_id,
  tenant_id,
  case
    when len(open_rules) > 0 then 'fail'
    when not rules_collected then 'error'
    when len(unreadable) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(open_rules) > 0 then format('firewall rule {} admits the whole internet', open_rules[1])
    when not rules_collected then 'firewall rules of this server were not collected'
    when len(unreadable) > 0 then format('startIpAddress or endIpAddress is absent or not IPv4 on firewall rule {}', unreadable[1])
    when rules = 0 then 'no server firewall rules'
    else format('none of {} firewall rules spans {} or more addresses', rules, getvariable('max_rule_addresses'))
  end as reason,
  json_object('open_rules', open_rules, 'firewall_rules', rules, 'firewall_rules_collected', rules_collected) as evidence
from per_server
