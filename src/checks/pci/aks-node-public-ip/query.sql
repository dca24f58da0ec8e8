-- One node pool (agentPoolProfiles or agentPools child rows) giving nodes public IPs fails the cluster; the pool
-- logic is shared with aks-encryption-at-host in aks_node_pool_flag (src/checks/macros.sql).
select * from aks_node_pool_flag('enableNodePublicIP', 'true', 'node pools with public IPs per node',
                                 'no node pool gives nodes public IPs', 'publicIpPools')
