-- Required labels of every namespace that is not exempt, and whether customer names the namespace's own tenant.
with namespaces as (
  select *,
         list_filter(csv_items(getvariable('required_labels')),
                     lambda k: coalesce(trim(json_extract_string(labels, k)), '') = '') as missing,
         json_extract_string(labels, getvariable('customer_label')) as customer
  from k8s_namespaces()
  where not list_contains(csv_items(getvariable('exempt_namespaces')), name)
)
select
  resource_id,
  tenant_id,
  case
    when not collected then 'error'
    when coalesce(json_type(labels) <> 'OBJECT', true) then 'error'
    when len(missing) > 0 then 'fail'
    when tenant_id is not null and customer <> tenant_id then 'fail'
    else 'pass'
  end as status,
  case
    when not collected then 'namespace ' || name || ' was not collected (no Namespace object), though objects name it'
    when coalesce(json_type(labels) <> 'OBJECT', true) then 'labels were not collected'
    when len(missing) > 0 then 'missing labels: ' || array_to_string(missing, ', ')
    when tenant_id is not null and customer <> tenant_id
      then getvariable('customer_label') || ' label names ' || customer || ' but the namespace belongs to tenant ' || tenant_id
    else 'labelled ' || array_to_string(list_transform(csv_items(getvariable('required_labels')),
                                                       lambda k: k || '=' || json_extract_string(labels, k)), ', ')
  end as reason,
  json_object('labels', labels, 'missing', missing) as evidence
from namespaces
