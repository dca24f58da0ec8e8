-- Secrets and ConfigMaps of banking namespaces and their encryption.enabled label.
with banking as (
  select distinct cluster, name, collected and coalesce(json_type(labels) = 'OBJECT', false) as known, collected,
         coalesce(list_contains(csv_items(lower(getvariable('banking_values'))),
                                lower(json_extract_string(labels, getvariable('banking_label')))), false) as is_banking
  from k8s_namespaces()
),
objects as (
  select o.kind, o.namespace, o.name, o.tenant_id, o.labels, k8s_id(o.cluster, o.kind, o.namespace, o.name) as resource_id,
         json_extract_string(o.labels, 'encryption.enabled') as label, b.known, b.collected
  from k8s_objects o
  join banking b on b.cluster = o.cluster and b.name = o.namespace
  where o.kind in ('Secret', 'ConfigMap')
    and (b.is_banking or not b.known)
    and not (o.kind = 'ConfigMap'
             and list_contains(csv_items(getvariable('exempt_configmaps')), o.name))
)
select
  resource_id,
  tenant_id,
  case
    when not known then 'error'
    when coalesce(json_type(labels) <> 'OBJECT', true) then 'error'
    when label = 'true' then 'pass'
    else 'fail'
  end as status,
  case
    when not known then 'namespace ' || namespace || if(collected, '''s labels were', ' was') || ' not collected: whether it is a banking namespace is unknown'
    when coalesce(json_type(labels) <> 'OBJECT', true) then 'labels were not collected'
    when label = 'true' then 'labelled encryption.enabled: "true"'
    when label is null then kind || ' in a banking namespace without the label encryption.enabled'
    else kind || ' in a banking namespace labelled encryption.enabled: "' || label || '", not "true"'
  end as reason,
  json_object('namespace', namespace, 'encryption.enabled', label) as evidence
from objects
