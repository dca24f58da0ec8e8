-- AutoRenew among the certificate policy's lifetime actions; EmailContacts alone only warns someone.
with v as (
  select id, tenant_id, origin,
         properties->'$.lifetimeActions' as actions,
         list_transform(coalesce(cast(json_extract(properties, '$.lifetimeActions[*]') as json[]), []),
                        a -> lower(a->>'$.action.actionType')) as types,
         properties->'$.x509CertificateProperties.validityInMonths' as validity_months,
         unknown_at(unknown_paths, 'properties.lifetimeActions') as actions_unknown
  from resources
  where type = 'microsoft.keyvault/vaults/certificates'
)
select
  id as resource_id,
  tenant_id,
  case
    when list_contains(types, 'autorenew') then 'pass'
    when actions_unknown then 'error'
    when actions is not null or origin = 'plan' then 'fail'
    else 'error'
  end as status,
  case
    when list_contains(types, 'autorenew') then 'the certificate renews automatically'
    when actions_unknown then 'the lifetime actions are known only after apply'
    when len(types) > 0 then 'the certificate policy only e-mails contacts (no AutoRenew action)'
    when actions is not null then 'the certificate policy has no lifetime action'
    when origin = 'plan' then 'the certificate has no lifetime_action in the plan'
    else 'lifetimeActions is absent'
  end as reason,
  json_object('lifetimeActions', actions, 'validityInMonths', validity_months) as evidence
from v
union all
select id, tenant_id, 'error', 'certificates of this vault were not collected', json_object('vault', id, 'collected', false)
from resources
where type = 'microsoft.keyvault/vaults' and not children_collected(id, 'microsoft.keyvault/vaults/certificates')
