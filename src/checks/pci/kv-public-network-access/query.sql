-- Public access is closed either outright (publicNetworkAccess Disabled) or by a default-deny firewall (networkAcls);
-- the logic is shared with acr-public-network-access in public_access_closed (src/checks/macros.sql).
select * from public_access_closed('microsoft.keyvault/vaults', 'networkAcls', 'firewall', 'no network ACLs are set')
