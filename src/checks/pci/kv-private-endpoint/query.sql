-- A vault is privately reachable through an Approved connection on the vault or an endpoint row aimed at it.
with v as (
  select id, tenant_id, properties, unknown_at(unknown_paths, 'properties.privateEndpointConnections') as conn_unknown
  from resources
  where type = 'microsoft.keyvault/vaults'
),
conn as (
  select
    v.id,
    count(*) filter (where lower(c->>'$.properties.privateLinkServiceConnectionState.status') = 'approved') as approved,
    count(*) filter (where c->>'$.properties.privateLinkServiceConnectionState.status' is null) as stateless,
    -- sorted: the reason and evidence must not depend on the order rows were aggregated in
    list_sort(list(c->>'$.properties.privateLinkServiceConnectionState.status')) as states
  from v, unnest(from_json(v.properties->'$.privateEndpointConnections', '["json"]')) as t(c)
  group by v.id
),
pe as (
  select v.id, list(e.id order by e.id) as endpoints
  from v
  join resources e
    on e.type = 'microsoft.network/privateendpoints'
   and lower(e.parent_id) = lower(v.id)
   and e.tenant_id is not distinct from v.tenant_id
  group by v.id
)
select
  v.id as resource_id,
  v.tenant_id,
  case
    when coalesce(conn.approved, 0) > 0 or pe.endpoints is not null then 'pass'
    when v.properties is null then 'error'
    when coalesce(conn.stateless, 0) > 0 or v.conn_unknown then 'error'
    else 'fail'
  end as status,
  case
    when coalesce(conn.approved, 0) > 0 then format('{} approved private endpoint connection(s)', conn.approved)
    when pe.endpoints is not null then format('private endpoint(s) {} target the vault', array_to_string(pe.endpoints, ', '))
    when v.properties is null then 'the vault''s properties are absent'
    when coalesce(conn.stateless, 0) > 0 then 'privateLinkServiceConnectionState.status is absent on a private endpoint connection'
    when v.conn_unknown then 'privateEndpointConnections is known only after apply'
    when conn.states is not null then format('no approved private endpoint connection (states: {})', array_to_string(conn.states, ', '))
    else 'no private endpoint connection and no private endpoint targets the vault'
  end as reason,
  json_object('connection_states', conn.states, 'private_endpoints', pe.endpoints) as evidence
from v
left join conn on conn.id = v.id
left join pe on pe.id = v.id
