-- Public access is closed either outright (publicNetworkAccess Disabled) or by a default-deny firewall.
with v as (
  select
    id,
    tenant_id,
    lower(properties->>'$.publicNetworkAccess') as pna,
    properties->'$.networkAcls' as acls,
    lower(properties->>'$.networkAcls.defaultAction') as default_action
  from resources
  where type = 'microsoft.keyvault/vaults'
)
select
  id as resource_id,
  tenant_id,
  case
    when pna = 'disabled' or default_action = 'deny' then 'pass'
    when default_action = 'allow' then 'fail'
    -- Enabled with no firewall at all: every network may connect.
    when pna = 'enabled' and acls is null then 'fail'
    else 'error'
  end as status,
  case
    when pna = 'disabled' then 'public network access is disabled'
    when default_action = 'deny' then 'firewall default action is Deny'
    when default_action = 'allow' then 'firewall default action is Allow: any network may connect'
    when pna = 'enabled' and acls is null then 'public network access is enabled and no network ACLs are set'
    when pna = 'enabled' then 'networkAcls.defaultAction is absent'
    else 'publicNetworkAccess and networkAcls are absent'
  end as reason,
  json_object('publicNetworkAccess', pna, 'networkAcls.defaultAction', default_action) as evidence
from v
