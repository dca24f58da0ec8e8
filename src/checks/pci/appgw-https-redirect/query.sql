-- Sub-resources refer to each other by id in ARM (by name in a plan): both compare by their last path segment.
with gw as (
  select id, tenant_id,
         coalesce(json_type(properties->'$.httpListeners') = 'ARRAY', false) as has_listeners,
         coalesce(json_type(properties->'$.requestRoutingRules') = 'ARRAY', false) as has_rules,
         coalesce(json_type(properties->'$.redirectConfigurations') = 'ARRAY', false) as has_redirects,
         coalesce(cast(json_extract(properties, '$.httpListeners[*]') as json[]), []) as listeners,
         coalesce(cast(json_extract(properties, '$.requestRoutingRules[*]') as json[]), []) as rules,
         coalesce(cast(json_extract(properties, '$.redirectConfigurations[*]') as json[]), []) as redirects
  from resources
  where type = 'microsoft.network/applicationgateways'
),
named as (
  select id, tenant_id, has_listeners, has_rules, has_redirects,
         list_transform(listeners, l -> {'name': lower(l->>'$.name'), 'protocol': lower(l->>'$.properties.protocol')}) as ls,
         list_transform(rules, r -> {
           'listener': lower(regexp_extract(coalesce(r->>'$.properties.httpListener.id', r->>'$.properties.httpListener.name'), '[^/]+$')),
           'redirect': lower(regexp_extract(coalesce(r->>'$.properties.redirectConfiguration.id', r->>'$.properties.redirectConfiguration.name'), '[^/]+$')),
           'path_based': lower(r->>'$.properties.ruleType') = 'pathbasedrouting'}) as rs,
         list_transform(redirects, d -> {
           'name': lower(d->>'$.name'),
           'target': lower(regexp_extract(coalesce(d->>'$.properties.targetListener.id', d->>'$.properties.targetListener.name'), '[^/]+$')),
           'url': lower(d->>'$.properties.targetUrl')}) as ds
  from gw
),
judged as (
  select *,
         list_transform(list_filter(ls, l -> l.protocol = 'http'), l -> {
           'name': l.name,
           'path_based': len(list_filter(rs, r -> r.listener = l.name and r.path_based)) > 0,
           'secured': len(list_filter(rs, r -> r.listener = l.name and len(list_filter(ds, d -> d.name = r.redirect
               and (starts_with(d.url, 'https://')
                    or len(list_filter(ls, t -> t.name = d.target and t.protocol = 'https')) > 0))) > 0)) > 0}) as http
  from named
)
select
  id as resource_id,
  tenant_id,
  case
    when not has_listeners then 'error'
    -- Rules name redirects the gateway's redirectConfigurations do not hold: they were not read, so nothing is judged.
    when len(http) > 0 and not has_redirects and len(list_filter(rs, r -> r.redirect is not null)) > 0 then 'error'
    when len(list_filter(http, h -> not h.secured and not h.path_based)) > 0 and has_rules then 'fail'
    when len(http) > 0 and not has_rules then 'error'
    when len(list_filter(http, h -> not h.secured)) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when not has_listeners then 'httpListeners is absent'
    when len(http) > 0 and not has_redirects and len(list_filter(rs, r -> r.redirect is not null)) > 0
      then 'redirectConfigurations is absent, though routing rules name redirects'
    when len(list_filter(http, h -> not h.secured and not h.path_based)) > 0 and has_rules
      then 'HTTP listener(s) not redirected to HTTPS: '
           || array_to_string(list_sort(list_transform(list_filter(http, h -> not h.secured and not h.path_based), h -> h.name)), ', ')
    when len(http) > 0 and not has_rules then 'requestRoutingRules is absent'
    when len(list_filter(http, h -> not h.secured)) > 0
      then 'HTTP listener(s) routed by URL path (redirects in the path map are not read): '
           || array_to_string(list_sort(list_transform(list_filter(http, h -> not h.secured), h -> h.name)), ', ')
    when len(http) = 0 then 'no HTTP listener (' || len(ls) || ' listeners, all HTTPS)'
    else 'every HTTP listener (' || len(http) || ') redirects to HTTPS'
  end as reason,
  json_object('httpListeners', http) as evidence
from judged
