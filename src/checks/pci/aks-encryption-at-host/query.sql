-- Pools come from the cluster document and from agentPools child rows (same tenant); every one must encrypt at host.
with clusters as (
  select id, tenant_id, properties
  from resources
  where type = 'microsoft.containerservice/managedclusters'
),
pools as (
  select id as cluster_id, p->>'$.name' as pool, p->>'$.enableEncryptionAtHost' as flag
  from (select id, unnest(from_json(properties->'$.agentPoolProfiles', '["json"]')) as p
        from clusters where json_type(properties->'$.agentPoolProfiles') = 'ARRAY')
  union all
  select c.id, coalesce(a.name, a.id), a.properties->>'$.enableEncryptionAtHost'
  from resources a
  join clusters c on a.parent_id = c.id and a.tenant_id is not distinct from c.tenant_id
  where a.type = 'microsoft.containerservice/managedclusters/agentpools'
),
agg as (
  select c.id, c.tenant_id,
         count(p.cluster_id) as n_pools,
         list(distinct p.pool) filter (where p.flag = 'false') as clear_pools,
         list(distinct coalesce(p.pool, '(unnamed)')) filter (where p.cluster_id is not null and (p.flag is null or p.flag not in ('true', 'false'))) as unknown_pools
  from clusters c left join pools p on p.cluster_id = c.id
  group by c.id, c.tenant_id
)
select
  id as resource_id,
  tenant_id,
  case
    when len(coalesce(clear_pools, [])) > 0 then 'fail'
    when n_pools = 0 or len(coalesce(unknown_pools, [])) > 0 then 'error'
    else 'pass'
  end as status,
  case
    when len(coalesce(clear_pools, [])) > 0 then 'node pools without encryption at host: ' || array_to_string(list_sort(clear_pools), ', ')
    when n_pools = 0 then 'no node pools reported (agentPoolProfiles is absent)'
    when len(coalesce(unknown_pools, [])) > 0 then 'enableEncryptionAtHost is absent on pools: ' || array_to_string(list_sort(unknown_pools), ', ')
    else 'every node pool encrypts at host (' || n_pools || ' pool entries checked)'
  end as reason,
  json_object('poolEntries', n_pools, 'unencryptedPools', list_sort(clear_pools), 'undeterminedPools', list_sort(unknown_pools)) as evidence
from agg
