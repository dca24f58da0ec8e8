-- Every required plan must be Standard. A live subscription (live_subscriptions in src/checks/macros.sql, or one
-- that reports pricings) without a pricing for a required plan gets an error row for the missing plan: the
-- pricings API lists every plan, Free included, so either the pricings were not collected or the plan is unknown.
with required as (
  select lower(trim(p)) as plan, trim(p) as label from unnest(string_split(getvariable('plans'), ',')) as u(p)
),
pricings as (
  select id, tenant_id, origin,
         lower(regexp_extract(coalesce(name, id), '[^/]+$')) as plan,
         regexp_extract(coalesce(name, id), '[^/]+$') as plan_name,
         lower(coalesce(subscription_id, nullif(regexp_extract(id, '^/subscriptions/([^/]+)', 1), ''))) as sub,
         properties->>'$.pricingTier' as tier,
         properties->>'$.subPlan' as sub_plan
  from resources
  where type = 'microsoft.security/pricings'
),
reported as (
  select id, tenant_id, plan_name, tier, sub_plan from pricings where plan in (select plan from required)
),
live_subs as (
  select regexp_extract(sub, '^/subscriptions/([^/]+)$', 1) as sub, tenant_id from live_subscriptions()
),
subs as (
  select sub, tenant_id from live_subs
  union all
  select sub, case when count(distinct tenant_id) = 1 then any_value(tenant_id) end as tenant_id
  from pricings where origin <> 'plan' and sub is not null and sub not in (select sub from live_subs)
  group by sub
),
missing as (
  select '/subscriptions/' || s.sub || '/providers/microsoft.security/pricings/' || r.plan as id,
         s.tenant_id, r.label as plan_name,
         children_collected('/subscriptions/' || s.sub, 'microsoft.security/pricings') as collected
  from subs s cross join required r
  where not exists (select 1 from pricings p where p.sub = s.sub and p.plan = r.plan)
)
select
  id as resource_id,
  tenant_id,
  case
    when lower(tier) = 'standard' then 'pass'
    when lower(tier) = 'free' then 'fail'
    else 'error'
  end as status,
  case
    when lower(tier) = 'standard' then 'Defender plan ' || plan_name || ' is on (Standard)'
    when lower(tier) = 'free' then 'Defender plan ' || plan_name || ' is off (Free)'
    when tier is null then 'pricingTier is absent'
    else 'unrecognised pricingTier ' || tier
  end as reason,
  json_object('plan', plan_name, 'pricingTier', tier, 'subPlan', sub_plan) as evidence
from reported
union all
select id, tenant_id, 'error',
       case when collected then 'no pricing reported for Defender plan ' || plan_name
            else 'Defender pricings of this subscription were not collected' end,
       json_object('plan', plan_name, 'pricingTier', null, 'pricingsCollected', collected)
from missing
