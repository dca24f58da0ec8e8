-- One node pool (agentPoolProfiles or agentPools child rows) giving nodes public IPs fails the cluster; the pool
-- logic is shared with aks-encryption-at-host in aks_node_pool_flag (src/checks/macros.sql). Node public IPs are
-- off by default, the secure setting, and absence is never a pass: a pool without the flag stays undecided.
select * from aks_node_pool_flag('enableNodePublicIP', 'true', 'node pools with public IPs per node',
                                 'no node pool gives nodes public IPs', 'publicIpPools', null)
