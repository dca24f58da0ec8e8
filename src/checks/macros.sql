-- Table macros shared by checks: logic several checks apply with different inputs lives here once.
-- The engine defines them on every connection before running checks; in a DuckDB shell, run
-- `.read src/checks/macros.sql` first, then a check's query.sql.

-- The values of a list of {key, value} structs, ordered by key (nulls last), equal keys keeping their order in the
-- list: the same as list(value order by key), without the sort DuckDB runs for an ORDER BY inside an aggregate, which
-- costs more than the rest of a small check. Gather the pairs with list({'key': ..., 'value': ...}).
-- Whether a value a verdict turns on is known only after apply (a Terraform plan value): the path, a block holding it
-- or a value inside it is in the row's unknown_paths. Such a value reaches the query absent, so a query that reads
-- absence as a verdict (an ARM default: absent publicNetworkAccess is Enabled) asks this first and withholds the
-- verdict (error, which the engine reports as unknown). `[*]` stands for any item of a list.
create or replace temp macro unknown_at(unknown_paths, path) as
  coalesce(len(list_filter(unknown_paths, lambda u: u = path or starts_with(path, u || '.') or starts_with(path, u || '[')
                                                  or starts_with(u, path || '.') or starts_with(u, path || '['))) > 0, false);

create or replace temp macro values_by_key(pairs) as
  list_transform(list_sort(list_transform(pairs, lambda p, i: {'key': p.key, 'pos': i, 'value': p.value})),
                 lambda p: p.value);

-- Whether every child of type child (lower-case ARM type, e.g. microsoft.sql/servers/firewallrules) under parent was
-- collected, so that finding none means none exist. A live source says so with a child_coverage row per parent and
-- type; a Terraform plan declares every child Terraform manages, so a plan's parents (plan://...) are complete by
-- construction: what a plan does not declare is not the gate's business. Checks over children report a parent whose
-- children were not collected as `error`, never as a pass.
create or replace temp macro children_collected(parent, child) as
  starts_with(lower(parent), 'plan://')
  or exists (select 1 from child_coverage cov
             where cov.parent_id = lower(parent) and cov.child_type = lower(child));

-- The live estate's subscriptions (/subscriptions/<id>, lower case), subjects of subscription-level checks. Their
-- tenant is the subscription row's, else the one tenant owning all of the subscription's resources (null when shared).
create or replace temp macro live_subscriptions() as table
  with sub_rows as (
    select lower(id) as sub, tenant_id from resources
    where type = 'microsoft.resources/subscriptions' and origin <> 'plan'
  )
  select sub, tenant_id from sub_rows
  union all
  select '/subscriptions/' || lower(subscription_id),
         case when count(distinct tenant_id) = 1 and count(*) = count(tenant_id) then any_value(tenant_id) end
  from resources
  where origin <> 'plan' and subscription_id is not null
    and '/subscriptions/' || lower(subscription_id) not in (select sub from sub_rows)
  group by lower(subscription_id);

-- NSG rules exposing TCP ports to the internet: inbound Allow rules (Tcp or any protocol) from `*`,
-- 0.0.0.0/0, ::/0, Internet or Any whose destination ports cover any of target_ports.
-- Subjects: each NSG (its inline securityRules plus separately managed rule rows of the same tenant) and each
-- separately managed rule row on its own, so a plan whose NSG rules are unknown still flags the rule it adds.
-- An NSG without an inline securityRules list is judged on its rule rows only when those were collected whole
-- (children_collected), or in a plan, on the rule resources the plan attaches to it; otherwise it is undecided
-- unless a rule found already opens the ports.
-- defaultSecurityRules are Azure's fixed rules (inbound from the internet is denied by DenyAllInBound): ignored.
-- label names the ports in reasons ("SSH/RDP", "database ports").
create or replace temp macro nsg_internet_exposure(target_ports, label) as table
  with nsgs as (
    select id, tenant_id, properties,
           coalesce(json_type(properties->'$.securityRules') = 'ARRAY', false) as has_rules
    from resources
    where type = 'microsoft.network/networksecuritygroups'
  ),
  rule_rows as (
    select id, tenant_id, name, parent_id, properties
    from resources
    where type = 'microsoft.network/networksecuritygroups/securityrules'
  ),
  rules as (
    select id as owner, r->>'$.name' as rule, r->'$.properties' as p
    from (select id, unnest(from_json(properties->'$.securityRules', '["json"]')) as r from nsgs where has_rules)
    union all
    select n.id, coalesce(rr.name, rr.id), rr.properties
    from rule_rows rr join nsgs n on rr.parent_id = n.id and rr.tenant_id is not distinct from n.tenant_id
    union all
    select id, coalesce(name, id), properties from rule_rows
  ),
  -- each rule's properties parsed once for all the fields read (a path list extracts them in one pass)
  extracted as (
    select owner, rule,
           json_extract_string(p, ['$.direction', '$.access', '$.protocol', '$.sourceAddressPrefix', '$.destinationPortRange']) as s,
           json_extract(p, ['$.sourceAddressPrefixes', '$.destinationPortRanges']) as j
    from rules
  ),
  fields as (
    select owner, rule,
           lower(s[1]) as dir,
           lower(s[2]) as acc,
           lower(s[3]) as proto,
           list_filter(list_concat([s[4]], from_json(j[1], '["varchar"]')), lambda x: x is not null and x <> '') as srcs,
           list_filter(list_concat([s[5]], from_json(j[2], '["varchar"]')), lambda x: x is not null and x <> '') as dports
    from extracted
  ),
  judged as (
    select owner, rule, dir, acc, proto, srcs, dports,
           len(list_filter(srcs, lambda s: lower(trim(s)) in ('*', '0.0.0.0', '0.0.0.0/0', '::/0', 'internet', 'any'))) > 0 as src_open,
           list_filter(target_ports, lambda t: len(list_filter(dports, lambda q:
               trim(q) = '*'
               or try_cast(trim(q) as integer) = t
               or (q like '%-%' and try_cast(trim(split_part(q, '-', 1)) as integer) <= t
                                and try_cast(trim(split_part(q, '-', 2)) as integer) >= t))) > 0) as hit_ports
    from fields
  ),
  classified as (
    select *,
           dir = 'inbound' and acc = 'allow' and proto in ('tcp', '*') and src_open and len(hit_ports) > 0 as is_open,
           -- a rule is undecidable when a deciding field is missing and the fields present do not already rule it out
           (dir is null or acc is null or proto is null or len(srcs) = 0 or len(dports) = 0)
             and coalesce(dir, 'inbound') = 'inbound' and coalesce(acc, 'allow') = 'allow'
             and coalesce(proto, 'tcp') in ('tcp', '*')
             and (len(srcs) = 0 or src_open) and (len(dports) = 0 or len(hit_ports) > 0) as is_unknown
    from judged
  ),
  per_owner as (
    select owner,
           count(*) as n_rules,
           values_by_key(list({'key': rule, 'value': json_object('rule', rule, 'source', srcs, 'ports', dports, 'protocol', proto)})
             filter (where is_open)) as open_rules,
           list_sort(list(rule) filter (where is_open)) as open_names,
           list_sort(list(rule) filter (where is_unknown and not coalesce(is_open, false))) as unknown_rules
    from classified
    group by owner
  ),
  subjects as (
    -- a plan's NSG is listed by its inline rules or by the separate rule resources the plan attaches to it
    select id, tenant_id, starts_with(id, 'plan://') as planned,
           has_rules or (not starts_with(id, 'plan://')
                         and children_collected(id, 'microsoft.network/networksecuritygroups/securityrules')) as listed
    from nsgs
    union all
    select id, tenant_id, false, true from rule_rows
  )
  select
    s.id as resource_id,
    s.tenant_id,
    case
      when len(coalesce(o.open_rules, [])) > 0 then 'fail'
      when not s.listed and not (s.planned and o.owner is not null) then 'error'
      when len(coalesce(o.unknown_rules, [])) > 0 then 'error'
      else 'pass'
    end as status,
    case
      when len(coalesce(o.open_rules, [])) > 0 then label || ' open to the internet by rule(s): '
        || array_to_string(o.open_names, ', ')
      when not s.listed and not (s.planned and o.owner is not null)
        then 'securityRules is absent and the security rules of this NSG were not collected'
      when len(coalesce(o.unknown_rules, [])) > 0 then 'direction, access, protocol, source or destination port is absent on rule(s): '
        || array_to_string(o.unknown_rules, ', ')
      else 'no rule allows ' || label || ' from the internet (' || coalesce(o.n_rules, 0) || ' rules checked)'
    end as reason,
    json_object('openRules', o.open_rules, 'undeterminedRules', o.unknown_rules, 'rulesChecked', coalesce(o.n_rules, 0)) as evidence
  from subjects s left join per_owner o on o.owner = s.id;

-- AKS node pools judged on one boolean pool setting (flag, e.g. 'enableEncryptionAtHost'). A cluster's pools are
-- its agentPoolProfiles plus agentPools child rows of the same tenant; one pool whose flag equals bad_value fails
-- the cluster. A pool without the flag fails too when the flag's documented default is the insecure one
-- (absent_default names it, e.g. 'encryption at host is off by default'); with absent_default null, or a pool whose
-- flag is not true/false, or no pools at all, the cluster is undecided: error, or unknown when the flag is a plan
-- value known only after apply. bad_label and good_reason word the reasons; bad_key names the offending pools in evidence.
create or replace temp macro aks_node_pool_flag(flag, bad_value, bad_label, good_reason, bad_key, absent_default) as table
  with clusters as (
    select id, tenant_id, properties, unknown_paths
    from resources
    where type = 'microsoft.containerservice/managedclusters'
  ),
  pools as (
    select id as cluster_id, p->>'$.name' as pool, json_extract_string(p, '$.' || flag) as flag_value,
           unknown_at(unknown_paths, 'properties.agentPoolProfiles[*].' || flag) as later
    from (select id, unknown_paths, unnest(from_json(properties->'$.agentPoolProfiles', '["json"]')) as p
          from clusters where json_type(properties->'$.agentPoolProfiles') = 'ARRAY')
    union all
    select c.id, coalesce(a.name, a.id), json_extract_string(a.properties, '$.' || flag),
           unknown_at(a.unknown_paths, 'properties.' || flag)
    from resources a
    join clusters c on a.parent_id = c.id and a.tenant_id is not distinct from c.tenant_id
    where a.type = 'microsoft.containerservice/managedclusters/agentpools'
  ),
  agg as (
    select c.id, c.tenant_id,
           count(p.cluster_id) as n_pools,
           list(distinct p.pool) filter (where p.flag_value = bad_value) as bad_pools,
           list(distinct coalesce(p.pool, '(unnamed)'))
             filter (where p.cluster_id is not null and p.flag_value is null and not p.later
                     and absent_default is not null) as default_pools,
           list(distinct coalesce(p.pool, '(unnamed)'))
             filter (where p.cluster_id is not null and (p.flag_value is null or p.flag_value not in ('true', 'false'))
                     and not (p.flag_value is null and (p.later or absent_default is not null))) as unknown_pools,
           list(distinct coalesce(p.pool, '(unnamed)')) filter (where p.flag_value is null and p.later) as later_pools
    from clusters c left join pools p on p.cluster_id = c.id
    group by c.id, c.tenant_id
  )
  select
    id as resource_id,
    tenant_id,
    case
      when len(coalesce(bad_pools, [])) > 0 or len(coalesce(default_pools, [])) > 0 then 'fail'
      when n_pools = 0 or len(coalesce(unknown_pools, [])) > 0 then 'error'
      when len(coalesce(later_pools, [])) > 0 then 'unknown'
      else 'pass'
    end as status,
    case
      when len(coalesce(bad_pools, [])) > 0 then bad_label || ': ' || array_to_string(list_sort(bad_pools), ', ')
      when len(coalesce(default_pools, [])) > 0 then flag || ' is absent on pools: '
        || array_to_string(list_sort(default_pools), ', ') || ': ' || absent_default
      when n_pools = 0 then 'no node pools reported (agentPoolProfiles is absent)'
      when len(coalesce(unknown_pools, [])) > 0 then flag || ' is absent on pools: ' || array_to_string(list_sort(unknown_pools), ', ')
      when len(coalesce(later_pools, [])) > 0 then flag || ' is known only after apply on pools: ' || array_to_string(list_sort(later_pools), ', ')
      else good_reason || ' (' || n_pools || ' pool entries checked)'
    end as reason,
    json_object('poolEntries', n_pools, bad_key, list_sort(bad_pools), 'defaultPools', list_sort(default_pools),
                'undeterminedPools', list_sort(unknown_pools),
                'knownAfterApplyPools', list_sort(later_pools)) as evidence
  from agg;

-- Whether an AKS add-on is enabled. addonProfiles keys are matched case-insensitively (ARM has returned both
-- omsagent and omsAgent), so addon_key is given in lower case; label names the add-on in reasons. An add-on
-- missing from addonProfiles is not configured (fail). Besides the verdict it returns the add-on's profile
-- (addon) and its enabled value, from which each check builds its own evidence.
create or replace temp macro aks_addon_enabled(addon_key, label) as table
  with c as (
    select id, tenant_id, properties,
           (select value from json_each(properties->'$.addonProfiles') where lower(key) = addon_key limit 1) as addon,
           unknown_at(unknown_paths, 'properties.addonProfiles.' || addon_key || '.enabled') as addon_unknown
    from resources
    where type = 'microsoft.containerservice/managedclusters'
  ),
  v as (select *, addon->>'$.enabled' as enabled from c)
  select
    id as resource_id,
    tenant_id,
    case
      when properties is null or json_type(properties) <> 'OBJECT' then 'error'
      when addon is null and not addon_unknown then 'fail'
      when enabled = 'true' then 'pass'
      when enabled = 'false' then 'fail'
      else 'error'
    end as status,
    case
      when properties is null or json_type(properties) <> 'OBJECT' then 'properties are absent'
      when addon is null and not addon_unknown then label || ' is not configured (no ' || addon_key || ' entry in addonProfiles)'
      when addon is null then 'addonProfiles.' || addon_key || ' is known only after apply'
      when enabled = 'true' then label || ' is enabled'
      when enabled = 'false' then label || ' is disabled'
      else 'addonProfiles.' || addon_key || '.enabled is absent'
    end as reason,
    addon,
    enabled
  from v;

-- Public network access closed outright (publicNetworkAccess Disabled) or by a default-deny network rule set, for
-- resources whose rule set sits at properties.<acl_key> (Key Vault networkAcls, ACR networkRuleSet). Enabled with no
-- rule set at all means every network may connect (fail); so does an absent publicNetworkAccess, whose documented
-- ARM default is Enabled for both services, unless it is known only after apply. acl_label names the rule set in
-- reasons ("firewall"), no_acl_phrase says that none is set ("no network ACLs are set").
create or replace temp macro public_access_closed(resource_type, acl_key, acl_label, no_acl_phrase) as table
  with v as (
    select
      id,
      tenant_id,
      lower(properties->>'$.publicNetworkAccess') as pna,
      json_extract(properties, '$.' || acl_key) as acls,
      lower(json_extract_string(properties, '$.' || acl_key || '.defaultAction')) as default_action,
      unknown_at(unknown_paths, 'properties.publicNetworkAccess') as pna_unknown,
      unknown_at(unknown_paths, 'properties.' || acl_key || '.defaultAction') as acls_unknown,
      pna is null and json_type(properties) = 'OBJECT' and not pna_unknown as pna_default
    from resources
    where type = resource_type
  )
  select
    id as resource_id,
    tenant_id,
    case
      when pna = 'disabled' or default_action = 'deny' then 'pass'
      -- an Allow firewall is open only while public access is not disabled
      when default_action = 'allow' and not pna_unknown then 'fail'
      when (pna = 'enabled' or pna_default) and acls is null and not acls_unknown then 'fail'
      else 'error'
    end as status,
    case
      when pna = 'disabled' then 'public network access is disabled'
      when default_action = 'deny' then acl_label || ' default action is Deny'
      when default_action = 'allow' and not pna_unknown then acl_label || ' default action is Allow: any network may connect'
      when pna = 'enabled' and acls is null and not acls_unknown then 'public network access is enabled and ' || no_acl_phrase
      when pna_default and acls is null and not acls_unknown
        then 'publicNetworkAccess is absent (Enabled by default) and ' || no_acl_phrase
      when pna = 'enabled' then acl_key || '.defaultAction is absent'
      else 'publicNetworkAccess and ' || acl_key || ' are absent'
    end as reason,
    json_object('publicNetworkAccess', pna, acl_key || '.defaultAction', default_action) as evidence
  from v;

-- Every SQL server with each of its firewall rule rows (same tenant; parent ids compared case-insensitively), one
-- row per server and rule; a server without rules appears once with null rule columns. rules_collected says whether
-- the server's rules were collected at all (children_collected): no rows means no rules only when it is true.
-- start_n / end_n are the IPv4 addresses as integers (null when not dotted-quad IPv4), so a range's size can be measured.
create or replace temp macro sql_server_firewall_rules() as table
  with srv as (
    select id, tenant_id, children_collected(id, 'microsoft.sql/servers/firewallrules') as rules_collected
    from resources
    where type = 'microsoft.sql/servers'
  ),
  rule as (
    select
      srv.id as server_id,
      srv.tenant_id,
      srv.rules_collected,
      f.id as rule_id,
      f.properties->>'$.startIpAddress' as start_ip,
      f.properties->>'$.endIpAddress' as end_ip
    from srv
    left join resources f
      on f.type = 'microsoft.sql/servers/firewallrules'
     and lower(f.parent_id) = lower(srv.id)
     and f.tenant_id is not distinct from srv.tenant_id
  )
  select
    *,
    case when regexp_full_match(start_ip, '\d{1,3}(\.\d{1,3}){3}')
      then list_reduce(list_transform(string_split(start_ip, '.'), x -> cast(x as bigint)), (a, b) -> a * 256 + b) end as start_n,
    case when regexp_full_match(end_ip, '\d{1,3}(\.\d{1,3}){3}')
      then list_reduce(list_transform(string_split(end_ip, '.'), x -> cast(x as bigint)), (a, b) -> a * 256 + b) end as end_n
  from rule;

-- Key Vault keys or secrets (resource_type; noun 'key' / 'secret' in reasons) must carry an expiry date.
-- attributes.exp is epoch seconds; ARM leaves it out of a present attributes object when there is no expiry.
-- A plan row carries every configured value, so a plan without expiration_date has no expiry either.
-- A vault whose keys or secrets were not collected is itself an error row: an unlisted key may have no expiry.
create or replace temp macro kv_item_expiry(resource_type, noun) as table
  select
    id as resource_id,
    tenant_id,
    case
      when properties->>'$.attributes.exp' is not null then 'pass'
      -- an expiration_date computed at apply (from another resource or a function of time) is not an absent one
      when unknown_at(unknown_paths, 'properties.attributes.exp') then 'error'
      when origin = 'plan' then 'fail'
      when coalesce(json_type(properties->'$.attributes'), 'NULL') <> 'OBJECT' then 'error'
      else 'fail'
    end as status,
    case
      when properties->>'$.attributes.exp' is null and unknown_at(unknown_paths, 'properties.attributes.exp')
        then 'expiration_date is known only after apply'
      when properties->>'$.attributes.exp' is null and origin = 'plan' then 'the ' || noun || ' has no expiration_date in the plan'
      when coalesce(json_type(properties->'$.attributes'), 'NULL') <> 'OBJECT' then 'attributes is absent'
      when properties->>'$.attributes.exp' is null then 'the ' || noun || ' has no expiry date (attributes.exp not set)'
      else format('the {} has an expiry date: {}', noun, coalesce(
        strftime(to_timestamp(try_cast(properties->>'$.attributes.exp' as bigint)), '%Y-%m-%dT%H:%M:%SZ'),
        properties->>'$.attributes.exp'))
    end as reason,
    json_object(
      'exp', properties->'$.attributes.exp',
      'enabled', properties->'$.attributes.enabled',
      'vault', parent_id
    ) as evidence
  from resources
  where type = resource_type
  union all
  select id, tenant_id, 'error', noun || 's of this vault were not collected', json_object('vault', id, 'collected', false)
  from resources
  where type = 'microsoft.keyvault/vaults' and not children_collected(id, resource_type);

-- Minimum TLS version of a resource_type, read from properties.<property> and matched case-insensitively against
-- each service's own spellings: strong versions pass, weak ones fail, and unenforced values (no minimum at all,
-- e.g. SQL's None) fail. Lists are written as the service spells them; reasons quote that spelling.
create or replace temp macro min_tls_version(resource_type, property, strong, weak, unenforced) as table
  with v as (
    select id, tenant_id, properties,
           json_extract_string(properties, '$.' || property) as raw,
           lower(raw) as val,
           list_filter(strong, lambda s: lower(s) = val)[1] as strong_hit,
           list_filter(weak, lambda s: lower(s) = val)[1] as weak_hit,
           list_filter(unenforced, lambda s: lower(s) = val)[1] as unenforced_hit
    from resources
    where type = resource_type
  )
  select
    id as resource_id,
    tenant_id,
    case
      when strong_hit is not null then 'pass'
      when weak_hit is not null or unenforced_hit is not null then 'fail'
      else 'error'
    end as status,
    case
      when strong_hit is not null then 'minimum TLS version is ' || strong_hit
      when weak_hit is not null then 'minimum TLS version is ' || weak_hit
      when unenforced_hit is not null then 'no minimum TLS version is enforced (' || unenforced_hit || ')'
      when val is null then property || ' is absent'
      else format('unrecognised {} value {}', property, raw)
    end as reason,
    json_object(property, json_extract(properties, '$.' || property)) as evidence
  from v;

-- A verdict from one property of a resource_type: properties.<property> (e.g. 'supportsHttpsTrafficOnly' or
-- 'network.publicNetworkAccess') equal to pass_value passes, equal to fail_value fails, compared case-insensitively;
-- absent or any other value is an error, never a pass. absent_default, when ARM or azurerm documents fail_value
-- as the default of an absent property, names it in the reason ('infrastructure encryption is off by default') and
-- makes absence fail, unless the value is known only after apply. Evidence is the property's value under its own
-- name; properties is returned too, for a check that adds more to its evidence.
create or replace temp macro property_value_verdict(resource_type, property, pass_value, fail_value, pass_reason, fail_reason,
                                                    absent_default := null) as table
  with v as (
    select id, tenant_id, properties,
           json_extract_string(properties, '$.' || property) as raw,
           lower(raw) as val,
           raw is null and absent_default is not null and json_type(properties) = 'OBJECT'
             and not unknown_at(unknown_paths, 'properties.' || property) as default_fails
    from resources
    where type = resource_type
  )
  select
    id as resource_id,
    tenant_id,
    case
      when val = pass_value then 'pass'
      when val = fail_value or default_fails then 'fail'
      else 'error'
    end as status,
    case
      when val = pass_value then pass_reason
      when val = fail_value then fail_reason
      when val is null then property || ' is absent' || coalesce(': ' || absent_default, '')
      else format('unrecognised {} value {}', property, raw)
    end as reason,
    json_object(property, json_extract(properties, '$.' || property)) as evidence,
    properties
  from v;

-- The items of a comma-separated list parameter ('kube-system, default'), spaces around each removed: for check params
-- that name several values, as getvariable() gives a string. csv_items(lower(...)) for a case-insensitive match.
create or replace temp macro csv_items(csv) as
  list_transform(string_split(csv, ','), lambda v: trim(v));

-- ---- Kubernetes (k8s_objects: one row per object, as the kubernetes collector writes it) ----

-- The finding subject of a Kubernetes object: k8s://{cluster}/{namespace}/{kind}/{name}, or k8s://{cluster}/{kind}/{name}
-- for a cluster-scoped one (namespace null). Every check over k8s_objects names its subjects with it.
create or replace temp macro k8s_id(cluster, kind, namespace, name) as
  'k8s://' || cluster || '/' || coalesce(namespace || '/', '') || kind || '/' || name;

-- A Kubernetes resource quantity as a number of base units (cores, bytes): '2000m' → 2, '2' and 2 → 2, '1Gi' →
-- 1073741824, '500Mi', '1e3' → 1000, '1.5G'; null when the text is not a quantity. A quantity is a decimal number and
-- one suffix: binary (Ki Mi Gi Ti Pi Ei), decimal (n u m k M G T P E) or a decimal exponent (e3, E-2). Suffixes are
-- case-sensitive ('1ki' and '1K' are not quantities); E is exa unless digits follow it ('1E' is 1e18, '1E3' is 1000).
create or replace temp macro k8s_quantity_scaled(num, suffix) as
  try_cast(num as double)
  * coalesce(try_cast('1' || suffix as double),
             map {'Ki': 1024.0, 'Mi': 1048576.0, 'Gi': 1073741824.0, 'Ti': 1099511627776.0, 'Pi': 1125899906842624.0,
                  'Ei': 1152921504606846976.0, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9,
                  'T': 1e12, 'P': 1e15, 'E': 1e18}[suffix]);

create or replace temp macro k8s_quantity(q) as
  k8s_quantity_scaled(regexp_extract(trim(q::varchar), '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)'),
                      regexp_replace(trim(q::varchar), '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)', ''));

-- Whether a label selector ({matchLabels, matchExpressions}) selects an object carrying labels (a JSON object):
-- every matchLabels entry equal, every expression (In, NotIn, Exists, DoesNotExist) satisfied. An absent, empty or
-- unreadable selector selects nothing here, though Kubernetes reads an empty one as "everything": the checks use this
-- to hand a pod's verdict to its controller, so a selector that cannot be read leaves the pod judged on its own.
create or replace temp macro k8s_selects(selector, labels) as
  coalesce(json_type(selector) = 'OBJECT', false)
  and len(coalesce(json_keys(selector, '$.matchLabels'), [])) + len(json_extract(selector, '$.matchExpressions[*]')) > 0
  and len(list_filter(coalesce(json_keys(selector, '$.matchLabels'), []),
                      lambda k: json_extract_string(labels, k)
                                is distinct from json_extract_string(json_extract(selector, '$.matchLabels'), k))) = 0
  and len(list_filter(json_extract(selector, '$.matchExpressions[*]'), lambda e: not coalesce(
        (json_extract_string(e, '$.operator') = 'In' and list_contains(
           from_json(json_extract(e, '$.values'), '["varchar"]'), json_extract_string(labels, json_extract_string(e, '$.key'))))
        or (json_extract_string(e, '$.operator') = 'NotIn' and not coalesce(list_contains(
           from_json(json_extract(e, '$.values'), '["varchar"]'), json_extract_string(labels, json_extract_string(e, '$.key'))), false))
        or (json_extract_string(e, '$.operator') = 'Exists'
            and json_extract_string(labels, json_extract_string(e, '$.key')) is not null)
        or (json_extract_string(e, '$.operator') = 'DoesNotExist'
            and json_extract_string(labels, json_extract_string(e, '$.key')) is null),
        false))) = 0;

-- Every namespace of every cluster: each Namespace object (collected = true), and each namespace that objects name
-- but no Namespace row describes (collected = false, labels null, the tenant of the objects in it; one row per
-- tenant should they disagree). Checks over namespaces report the second kind as `error`: its labels are unknown.
create or replace temp macro k8s_namespaces() as table
  select cluster, name, tenant_id, labels, true as collected, k8s_id(cluster, 'Namespace', null, name) as resource_id
  from k8s_objects
  where kind = 'Namespace'
  union all
  select distinct o.cluster, o.namespace, o.tenant_id, null::json, false, k8s_id(o.cluster, 'Namespace', null, o.namespace)
  from k8s_objects o
  where o.namespace is not null
    and not exists (select 1 from k8s_objects n where n.kind = 'Namespace' and n.cluster = o.cluster and n.name = o.namespace);

-- Every object that carries a pod spec, with that spec: a Pod's spec; the spec.template.spec of a Deployment,
-- StatefulSet, DaemonSet or Job; a CronJob's spec.jobTemplate.spec.template.spec. spec_path names where it was read,
-- for reasons; has_pod_spec is false when it is absent or not an object. containers lists the regular containers,
-- init containers and ephemeral containers (added to a running pod by kubectl debug; no template holds them) as
-- {role, name, c}; n_containers counts the regular ones, which a pod spec cannot be without.
create or replace temp macro k8s_pod_templates() as table
  with w as (
    select *,
           map {'Pod': '$', 'Deployment': '$.template.spec', 'StatefulSet': '$.template.spec',
                'DaemonSet': '$.template.spec', 'Job': '$.template.spec',
                'CronJob': '$.jobTemplate.spec.template.spec'}[kind] as path
    from k8s_objects
  )
  select cluster, kind, namespace, name, tenant_id, labels, spec,
         k8s_id(cluster, kind, namespace, name) as resource_id,
         'spec' || substr(path, 2) as spec_path,
         json_extract(spec, path) as pod_spec,
         coalesce(json_type(pod_spec) = 'OBJECT', false) as has_pod_spec,
         len(json_extract(pod_spec, '$.containers[*]')) as n_containers,
         list_concat(
           list_transform(json_extract(pod_spec, '$.initContainers[*]'),
                          lambda c: {'role': 'init container', 'name': c->>'$.name', 'c': c}),
           list_transform(json_extract(pod_spec, '$.containers[*]'),
                          lambda c: {'role': 'container', 'name': c->>'$.name', 'c': c}),
           list_transform(json_extract(pod_spec, '$.ephemeralContainers[*]'),
                          lambda c: {'role': 'ephemeral container', 'name': c->>'$.name', 'c': c})) as containers
  from w
  where path is not null;

-- The workloads checks judge, each pod spec once: every Deployment, StatefulSet, DaemonSet, Job and CronJob, and every
-- Pod no collected controller made. ownerReferences are not in the rows; a controller owns the pods its selector
-- matches (Kubernetes adopts matching orphans), and the controller sets a label on each: pod-template-hash (a
-- Deployment's ReplicaSets), controller-revision-hash (StatefulSet, DaemonSet); a Job's selector names its own uid.
-- A pod that matches a collected controller's selector and carries that label is judged through the controller's
-- template, not once per replica; a Job a collected CronJob made (named <cronjob>-<schedule>) through the CronJob.
-- Every other pod is judged itself: bare pods, pods of controllers that were not collected (a ReplicaSet without a
-- Deployment, an operator's custom resource, a static pod). with_ephemeral: the check counts ephemeral containers, so
-- a pod carrying them is judged itself as well (its template does not hold them); otherwise they are left out.
-- spec_problem says why a workload cannot be judged (its pod spec or containers absent), null when it can.
create or replace temp macro k8s_workloads(with_ephemeral) as table
  with t as (select * from k8s_pod_templates()),
  owners as (
    select cluster, namespace, spec->'$.selector' as selector,
           map {'Deployment': 'pod-template-hash', 'StatefulSet': 'controller-revision-hash',
                'DaemonSet': 'controller-revision-hash'}[kind] as revision_label
    from t
    where kind in ('Deployment', 'StatefulSet', 'DaemonSet', 'Job')
  ),
  owned as (
    select distinct p.resource_id
    from t p
    join owners o on o.cluster = p.cluster and o.namespace = p.namespace
    where p.kind = 'Pod'
      and (o.revision_label is null or json_extract_string(p.labels, o.revision_label) is not null)
      and k8s_selects(o.selector, p.labels)
  ),
  scheduled as (
    select distinct j.resource_id
    from t j
    join t c on c.kind = 'CronJob' and c.cluster = j.cluster and c.namespace = j.namespace
    where j.kind = 'Job' and starts_with(j.name, c.name || '-')
      and regexp_full_match(substr(j.name, len(c.name) + 2), '[0-9]+')
  )
  select t.* replace (list_filter(t.containers, lambda c: with_ephemeral or c.role <> 'ephemeral container') as containers),
         -- why the pod spec cannot be judged (missing evidence), or null
         case
           when not t.has_pod_spec then t.spec_path || ' is absent'
           when t.n_containers = 0 then t.spec_path || '.containers is absent or empty'
         end as spec_problem
  from t
  where t.resource_id not in (select resource_id from scheduled)
    and (t.resource_id not in (select resource_id from owned)
         or (with_ephemeral and len(list_filter(t.containers, lambda c: c.role = 'ephemeral container')) > 0));

-- Password sign-in on Linux machines of resource_type, whose OS profile sits at properties.<os_profile>
-- ('osProfile' for VMs, 'virtualMachineProfile.osProfile' for scale sets). Windows machines (a windowsConfiguration,
-- or an OS disk of type Windows) have no such setting and get no row. ARM documents no default for
-- disablePasswordAuthentication, so only an explicit true passes and absence is missing evidence (error).
create or replace temp macro linux_password_auth(resource_type, os_profile) as table
  with v as (
    select id, tenant_id,
           json_extract_string(properties, '$.' || os_profile || '.linuxConfiguration.disablePasswordAuthentication') as raw,
           lower(raw) as val
    from resources
    where type = resource_type
      and json_extract(properties, '$.' || os_profile || '.windowsConfiguration') is null
      and coalesce(lower(properties->>'$.storageProfile.osDisk.osType'), '') <> 'windows'
  )
  select
    id as resource_id,
    tenant_id,
    case
      when val = 'true' then 'pass'
      when val = 'false' then 'fail'
      else 'error'
    end as status,
    case
      when val = 'true' then 'password authentication is disabled (SSH keys only)'
      when val = 'false' then 'password authentication is enabled'
      when val is null then 'linuxConfiguration.disablePasswordAuthentication is absent'
      else format('unrecognised disablePasswordAuthentication value {}', raw)
    end as reason,
    json_object('disablePasswordAuthentication', raw) as evidence
  from v;

-- require_secure_transport of MySQL / PostgreSQL flexible servers (server_type, lower case), a server parameter: a
-- child row of type parameter_type (the servers' configurations) named require_secure_transport (same tenant), value
-- ON or OFF. The query names both types, so a live run lists the parameters of the servers it judges.
-- Both services document ON as the default, so a server without such a row passes when its configurations were
-- collected whole (children_collected; a plan declares every parameter it sets) and is missing evidence otherwise.
-- A value known only after apply (a separately planned parameter) is unknown.
create or replace temp macro secure_transport_required(server_type, parameter_type) as table
  with srv as (
    select id, tenant_id, children_collected(id, parameter_type) as collected
    from resources
    where type = server_type
  ),
  param as (
    select lower(parent_id) as server, tenant_id,
           lower(properties->>'$.value') as val,
           unknown_at(unknown_paths, 'properties.value') as val_unknown
    from resources
    where type = parameter_type and lower(name) = 'require_secure_transport'
  )
  select
    s.id as resource_id,
    s.tenant_id,
    case
      when p.val = 'on' then 'pass'
      when p.val = 'off' then 'fail'
      when p.val_unknown then 'unknown'
      when p.server is not null then 'error'
      when s.collected then 'pass'
      else 'error'
    end as status,
    case
      when p.val in ('on', 'off') then 'require_secure_transport is ' || upper(p.val)
      when p.val_unknown then 'require_secure_transport is known only after apply'
      when p.server is not null then coalesce('unrecognised require_secure_transport value ' || p.val, 'require_secure_transport has no value')
      when s.collected then 'require_secure_transport is not set: ON by default'
      else 'the server parameters of this server were not collected'
    end as reason,
    json_object('require_secure_transport', p.val, 'parametersCollected', s.collected) as evidence
  from srv s
  left join param p on p.server = lower(s.id) and p.tenant_id is not distinct from s.tenant_id;
