-- Every Key Vault secret must have an expiry date (attributes.exp); the logic is shared with kv-key-expiry in
-- kv_item_expiry (src/checks/macros.sql).
select * from kv_item_expiry('microsoft.keyvault/vaults/secrets', 'secret')
