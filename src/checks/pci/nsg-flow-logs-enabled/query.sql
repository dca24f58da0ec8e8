-- A flow log covers an NSG directly (NSG flow log) or through a subnet that uses it (VNet or subnet flow log).
-- Only same-tenant rows relate: another tenant's flow log says nothing about this tenant's NSG.
with nsgs as (
  select id, tenant_id, lower(subscription_id) as sub, lower(location) as location
  from resources where type = 'microsoft.network/networksecuritygroups'
),
flowlogs as (
  select id, tenant_id, parent_id,
         lower(properties->>'$.targetResourceId') as target,
         properties->>'$.enabled' as enabled
  from resources
  where type = 'microsoft.network/networkwatchers/flowlogs'
),
subnets as (
  select id, tenant_id, parent_id as vnet_id, lower(properties->>'$.networkSecurityGroup.id') as nsg_id
  from resources
  where type = 'microsoft.network/virtualnetworks/subnets'
),
covering as (
  select n.id as nsg, f.id as flowlog, f.enabled, 'nsg' as via
  from nsgs n join flowlogs f
    on (f.parent_id = n.id or f.target = n.id) and f.tenant_id is not distinct from n.tenant_id
  union
  select n.id, f.id, f.enabled, 'subnet ' || regexp_extract(s.id, '[^/]+$')
  from nsgs n
  join subnets s on s.nsg_id = n.id and s.tenant_id is not distinct from n.tenant_id
  join flowlogs f on (f.target in (s.id, s.vnet_id) or f.parent_id in (s.id, s.vnet_id))
                 and f.tenant_id is not distinct from n.tenant_id
),
-- Network watchers, also those known only through a flow log under them. A flow log sits in the watcher of its
-- target's subscription and region: when one of those watchers' flow logs was not collected, no flow log found
-- cannot mean none exists.
watchers as (
  select id, max(sub) as sub, max(location) as location
  from (
    select lower(id) as id, lower(subscription_id) as sub, lower(location) as location
    from resources where type = 'microsoft.network/networkwatchers'
    union all
    select regexp_extract(lower(id), '^(.*/providers/microsoft\.network/networkwatchers/[^/]+)/flowlogs/[^/]+$', 1),
           lower(subscription_id), lower(location)
    from resources where type = 'microsoft.network/networkwatchers/flowlogs'
  )
  where id <> ''
  group by id
),
unlisted as (
  select n.id, list(regexp_extract(w.id, '[^/]+$') order by w.id) as watchers
  from nsgs n
  join watchers w on w.sub = n.sub and (w.location is null or n.location is null or w.location = n.location)
  where not children_collected(w.id, 'microsoft.network/networkwatchers/flowlogs')
  group by n.id
),
agg as (
  select n.id, n.tenant_id,
         count(c.flowlog) as n_logs,
         count(c.flowlog) filter (where c.enabled = 'true') as n_enabled,
         count(c.flowlog) filter (where c.enabled is null or c.enabled not in ('true', 'false')) as n_unknown,
         -- ordered by flow log id (values_by_key in src/checks/macros.sql)
         values_by_key(list({'key': c.flowlog, 'value': json_object('flowLog', c.flowlog, 'enabled', c.enabled, 'via', c.via)})
           filter (where c.flowlog is not null)) as logs
  from nsgs n left join covering c on c.nsg = n.id
  group by n.id, n.tenant_id
)
select
  agg.id as resource_id,
  tenant_id,
  case
    when n_enabled > 0 then 'pass'
    when u.watchers is not null then 'error'
    when n_logs = 0 then 'fail'
    when n_unknown > 0 then 'error'
    else 'fail'
  end as status,
  case
    when n_enabled > 0 then n_enabled || ' enabled flow log(s) cover this NSG'
    when u.watchers is not null then 'flow logs of network watcher ' || array_to_string(u.watchers, ', ') || ' were not collected'
    when n_logs = 0 then 'no flow log covers this NSG or the subnets that use it'
    when n_unknown > 0 then 'flow log enabled flag is absent and no covering flow log is enabled'
    else 'every covering flow log is disabled'
  end as reason,
  json_object('flowLogs', logs, 'uncollectedWatchers', u.watchers) as evidence
from agg
left join unlisted u on u.id = agg.id
