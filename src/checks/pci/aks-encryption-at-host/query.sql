-- Every node pool (agentPoolProfiles and agentPools child rows) must encrypt at host; the pool logic is shared
-- with aks-node-public-ip in aks_node_pool_flag (src/checks/macros.sql). Encryption at host is opt-in (off unless
-- set), so a pool without the flag fails.
select * from aks_node_pool_flag('enableEncryptionAtHost', 'false', 'node pools without encryption at host',
                                 'every node pool encrypts at host', 'unencryptedPools',
                                 'encryption at host is off by default')
