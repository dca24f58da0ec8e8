-- 0.0.0.0–0.0.0.0 is ARM's marker for "any Azure service", whatever the rule is named.
with srv as (
  select id, tenant_id
  from resources
  where type = 'microsoft.sql/servers'
),
rule as (
  select
    srv.id as server_id,
    f.id as rule_id,
    f.properties->>'$.startIpAddress' as start_ip,
    f.properties->>'$.endIpAddress' as end_ip
  from srv
  join resources f
    on f.type = 'microsoft.sql/servers/firewallrules'
   and lower(f.parent_id) = lower(srv.id)
   and f.tenant_id is not distinct from srv.tenant_id
),
per_server as (
  select
    server_id,
    list(rule_id order by rule_id) filter (where start_ip = '0.0.0.0' and end_ip = '0.0.0.0') as azure_rules,
    list(rule_id order by rule_id) filter (where start_ip is null or end_ip is null) as incomplete,
    count(*) as rules
  from rule
  group by server_id
)
select
  srv.id as resource_id,
  srv.tenant_id,
  case
    when len(p.azure_rules) > 0 then 'fail'
    when len(p.incomplete) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(p.azure_rules) > 0 then format('firewall rule {} (0.0.0.0–0.0.0.0) admits every Azure service', p.azure_rules[1])
    when len(p.incomplete) > 0 then format('startIpAddress or endIpAddress is absent on firewall rule {}', p.incomplete[1])
    when p.rules is null then 'no server firewall rules'
    else format('no 0.0.0.0–0.0.0.0 rule among {} firewall rules', p.rules)
  end as reason,
  json_object('azure_services_rules', p.azure_rules, 'firewall_rules', coalesce(p.rules, 0)) as evidence
from srv
left join per_server p on p.server_id = srv.id
