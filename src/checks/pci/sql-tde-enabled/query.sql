-- ARM keeps TDE in the child transparentDataEncryption/current; a plan keeps it on the database itself.
with db as (
  select id, tenant_id, properties->>'$.transparentDataEncryption.state' as own_state
  from resources
  where type = 'microsoft.sql/servers/databases'
    -- master cannot be encrypted by the customer and holds no customer data
    and lower(coalesce(name, '')) <> 'master'
    and lower(id) not like '%/databases/master'
),
tde as (
  select
    db.id as database_id,
    -- ordered by TDE resource id (values_by_key in src/checks/macros.sql)
    values_by_key(list({'key': t.id, 'value': t.properties->>'$.state'})) as states,
    count(*) filter (where t.properties->>'$.state' is null) as stateless
  from db
  join resources t
    on t.type = 'microsoft.sql/servers/databases/transparentdataencryption'
   and lower(t.parent_id) = lower(db.id)
   and t.tenant_id is not distinct from db.tenant_id
  group by db.id
),
judged as (
  select
    db.id,
    db.tenant_id,
    db.own_state,
    tde.states,
    -- the child, when collected, is the live truth; otherwise the database's own value
    lower(coalesce(list_filter(tde.states, s -> s is not null)[1], db.own_state)) as state,
    coalesce(tde.stateless, 0) as stateless,
    tde.database_id is not null as has_child
  from db
  left join tde on tde.database_id = db.id
)
select
  id as resource_id,
  tenant_id,
  case
    when state = 'disabled' or list_contains(list_transform(states, s -> lower(s)), 'disabled') then 'fail'
    when state = 'enabled' and stateless = 0 then 'pass'
    when stateless > 0 then 'error'
    when state is null then 'error'
    else 'error'
  end as status,
  case
    when state = 'disabled' or list_contains(list_transform(states, s -> lower(s)), 'disabled')
      then 'transparent data encryption is disabled'
    when state = 'enabled' and stateless = 0 then 'transparent data encryption is enabled'
    when stateless > 0 then 'state is absent on the transparentDataEncryption child'
    when state is null and not children_collected(id, 'microsoft.sql/servers/databases/transparentdataencryption')
      then 'transparent data encryption settings of this database were not collected'
    when state is null then 'no transparent data encryption state collected for the database'
    else format('unrecognised transparent data encryption state {}', state)
  end as reason,
  json_object('transparentDataEncryption', states, 'transparentDataEncryption.state', own_state) as evidence
from judged
