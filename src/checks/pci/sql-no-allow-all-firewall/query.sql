-- IPv4 addresses as integers, so a range's size can be measured, not just string-compared.
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
measured as (
  select
    *,
    case when regexp_full_match(start_ip, '\d{1,3}(\.\d{1,3}){3}')
      then list_reduce(list_transform(string_split(start_ip, '.'), x -> cast(x as bigint)), (a, b) -> a * 256 + b) end as start_n,
    case when regexp_full_match(end_ip, '\d{1,3}(\.\d{1,3}){3}')
      then list_reduce(list_transform(string_split(end_ip, '.'), x -> cast(x as bigint)), (a, b) -> a * 256 + b) end as end_n
  from rule
),
per_server as (
  select
    server_id,
    list(rule_id || ' (' || start_ip || '–' || end_ip || ')' order by rule_id)
      filter (where end_n - start_n + 1 >= getvariable('max_rule_addresses')) as open_rules,
    list(rule_id order by rule_id) filter (where start_n is null or end_n is null) as unreadable,
    count(*) as rules
  from measured
  group by server_id
)
select
  srv.id as resource_id,
  srv.tenant_id,
  case
    when len(p.open_rules) > 0 then 'fail'
    when len(p.unreadable) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(p.open_rules) > 0 then format('firewall rule {} admits the whole internet', p.open_rules[1])
    when len(p.unreadable) > 0 then format('startIpAddress or endIpAddress is absent or not IPv4 on firewall rule {}', p.unreadable[1])
    when p.rules is null then 'no server firewall rules'
    else format('none of {} firewall rules spans {} or more addresses', p.rules, getvariable('max_rule_addresses'))
  end as reason,
  json_object('open_rules', p.open_rules, 'firewall_rules', coalesce(p.rules, 0)) as evidence
from srv
left join per_server p on p.server_id = srv.id
