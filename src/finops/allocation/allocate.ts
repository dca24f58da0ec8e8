// Splits each day's cost between tenants into `allocations`, to the cent per day and currency. The heavy work (every
// cost row) is SQL in DuckDB; JavaScript only answers the tenancy rules over distinct keys (tags, resource groups,
// subscriptions) and computes the few per-cluster weights. See README "Cost allocation" for the rules in prose.
import type { Config } from '../../config.js';
import { sharedMacros } from '../../rules.js';
import type { Store } from '../../store.js';
import { tenantResolver } from '../../tenancy.js';
import type { FinopsContext } from '../context.js';
import { type ClusterUsage, clusterWeights } from './cluster-weights.js';

const globRegex = (glob: string): string =>
  `^${glob
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')}$`;

/** Where a cost row goes, first match wins: [condition, pool kind, pool key, method of a direct or unassigned row]. */
const POOL_RULES: [string, string, string, string | null][] = [
  ['o.shared_service is not null', 'service', 'o.shared_service', null],
  ['coalesce(o.cluster_shared, t.cluster_shared)', 'cluster', 'coalesce(o.cluster, t.cluster)', null],
  ['t.tenant is not null', 'direct', 't.tenant', 'tag'],
  ['o.inv_tenant is not null', 'direct', 'o.inv_tenant', 'inventory'],
  ['o.rg_tenant is not null', 'direct', 'o.rg_tenant', 'resource-group'],
  [
    'coalesce(o.cluster_tenant, t.cluster_tenant) is not null',
    'direct',
    'coalesce(o.cluster_tenant, t.cluster_tenant)',
    'dedicated-cluster',
  ],
  ['coalesce(o.sub_tenant, s.tenant) is not null', 'direct', 'coalesce(o.sub_tenant, s.tenant)', 'subscription'],
];
const quote = (v: string | null) => (v === null ? 'null' : `'${v}'`);
const poolCase = (pick: (rule: (typeof POOL_RULES)[number]) => string, otherwise: string) =>
  `case ${POOL_RULES.map((r) => `when ${r[0]} then ${pick(r)}`).join(' ')} else ${otherwise} end`;

export async function allocate(ctx: FinopsContext): Promise<void> {
  const { store, runId, config } = ctx;
  const alloc = config.finops.allocation;
  await store.query('delete from allocations where run_id = $1', [runId]);
  await store.query('delete from allocation_gaps where run_id = $1', [runId]);
  const gaps: { tenant: string | null; reason: string }[] = [];
  const everyone = (reason: string) =>
    gaps.push({ tenant: null, reason }, ...config.tenants.map((t) => ({ tenant: t.id, reason })));

  // A cost scope not collected whole leaves an unknown part of the bill out: every allocation it could feed is incomplete.
  const costScopes = await store.query<{ scope: string; status: string; error: string | null; tenant_id: string | null }>(
    `select scope, status, error, tenant_id from source_status where run_id = $1 and source = 'cost' and status <> 'ok' order by scope`,
    [runId],
  );
  for (const s of costScopes) {
    const reason = `cost ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}`;
    if (s.tenant_id) gaps.push({ tenant: null, reason }, { tenant: s.tenant_id, reason });
    else everyone(reason);
  }

  await ownerTables(store, runId, config);
  const cost = alloc.cost_column;
  // Grouped by the charge's start first and turned into a UTC day after: the time zone conversion is then paid per
  // distinct start, not per row.
  await store.query(
    `create or replace temp table fo_pool as
     with g as (
       select c.ChargePeriodStart as start, coalesce(c.BillingCurrency, 'XXX') as currency,
              coalesce(c.ServiceName, '(none)') as service,
              ${poolCase((r) => quote(r[1]), "'unassigned'")} as kind,
              ${poolCase((r) => r[2], 'null')} as key,
              ${poolCase((r) => quote(r[3]), "'no ownership rule matched'")} as method,
              sum(c.${cost}) as amount, count(*) filter (where c.${cost} is null) as missing,
              count(*) filter (where c.BillingCurrency is null) as no_currency
       from costs c
       left join fo_rid_owner o on o.rid = c.ResourceId
       left join fo_tags t on t.tags = c.Tags::varchar
       left join fo_sub s on s.sub = lower(c.SubAccountId)
       where c.run_id = $1
       group by all
     )
     select (start at time zone 'UTC')::date as day, currency, service, kind, key, method, sum(amount) as amount,
            sum(missing) as missing, sum(no_currency) as no_currency, count(*) filter (where start is null) as no_day
     from g group by all`,
    [runId],
  );
  const [bad] = await store.query<{ missing: number; no_currency: number; no_day: number }>(
    'select sum(missing)::integer as missing, sum(no_currency)::integer as no_currency, sum(no_day)::integer as no_day from fo_pool',
  );
  if (bad?.missing) everyone(`${bad.missing} cost rows have no ${cost}; they are counted as 0`);
  if (bad?.no_currency) everyone(`${bad.no_currency} cost rows have no BillingCurrency; they are allocated as XXX`);
  if (bad?.no_day) everyone(`${bad.no_day} cost rows have no ChargePeriodStart; they are left out`);
  await store.query('delete from fo_pool where day is null');

  await clusterWeightTable(ctx, everyone);
  await serviceWeightTable(store, config);
  await store.query(
    `create or replace temp table fo_exact as
     select day, currency, service, key as tenant, 'direct' as source, method, null as cluster, null as namespace,
            null as detail, amount::double as x
     from fo_pool where kind = 'direct'
     union all
     select day, currency, service, null, 'unassigned', method, null, null, null, amount::double from fo_pool where kind = 'unassigned'
     union all
     select p.day, p.currency, p.service, w.tenant, w.source, w.method, p.key, w.namespace, null, p.amount::double * w.weight
     from fo_pool p join fo_cluster_weights w on w.cluster = p.key where p.kind = 'cluster'
     union all
     select p.day, p.currency, p.service, w.tenant, 'shared-service', w.method, null, null, p.key, p.amount::double * w.weight
     from fo_pool p join fo_service_weights w on w.service = p.key where p.kind = 'service'
     union all
     select p.day, p.currency, p.service, d.tenant, 'shared-service', 'proportional to direct cost', null, null, p.key,
            p.amount::double * d.weight
     from fo_pool p join fo_direct_share d using (day, currency) where p.kind = 'service' and p.key in (select name from fo_proportional_services)
     union all
     -- No tenant had direct cost that day: nothing to be proportional to, so the day's service cost is split evenly.
     select p.day, p.currency, p.service, t.tenant, 'shared-service', 'even (no direct cost that day)', null, null, p.key,
            p.amount::double / (select count(*) from fo_tenants)
     from fo_pool p cross join fo_tenants t
     where p.kind = 'service' and p.key in (select name from fo_proportional_services)
       and not exists (select 1 from fo_direct_share d where d.day = p.day and d.currency = p.currency)`,
  );
  // Largest remainder per day and currency: every share floored to the cent, and the cents the floors lost go to the
  // largest remainders, so the day's allocations add up to its cost rounded to the cent.
  await store.query(
    `insert into allocations (run_id, tenant_id, day, source, amount, currency, method, service, cluster, namespace, detail)
     with e as (
       select day, currency, service, tenant, source, method, cluster, namespace, detail, sum(x) as x from fo_exact group by all
     ),
     target as (select day, currency, round(sum(amount) * 100)::bigint as cents from fo_pool group by all),
     f as (select *, floor(x * 100)::bigint as fl, x * 100 - floor(x * 100) as rem from e),
     r as (
       select f.*, target.cents - sum(fl) over (partition by day, currency) as deficit,
              row_number() over (partition by day, currency
                                 order by rem desc, tenant nulls last, source, service, cluster, namespace, detail, method) as rn
       from f join target using (day, currency)
     )
     select $1, tenant, day, source, ((fl + (rn <= deficit)::integer) / 100)::decimal(18, 2), currency, method, service,
            cluster, namespace, detail
     from r`,
    [runId],
  );
  const [drift] = await store.query<{ n: number }>(
    `select count(*)::integer as n from (select day, currency, round(sum(amount), 2) as total from fo_pool group by all) t
     full join (select day, currency, sum(amount) as total from allocations where run_id = $1 group by all) a using (day, currency)
     where t.total is distinct from a.total`,
    [runId],
  );
  // The invariant is the allocation's whole promise: a run that breaks it stops rather than publish wrong shares.
  if (drift?.n) throw new Error(`allocation does not reconcile to the costs on ${drift.n} day(s) and currencies`);
  const rows = gaps.map((g) => ({ run_id: runId, tenant_id: g.tenant, reason: g.reason }));
  await store.insertJsonRows(runId, 'allocation_gaps', rows);
  for (const t of [
    'fo_rid',
    'fo_rid_owner',
    'fo_tags',
    'fo_sub',
    'fo_rg',
    'fo_clusters',
    'fo_pool',
    'fo_cluster_weights',
    'fo_service_weights',
    'fo_proportional_services',
    'fo_direct_share',
    'fo_tenants',
    'fo_exact',
  ])
    await store.query(`drop table if exists ${t}`);
}

/**
 * Per distinct cost key, who owns it: the tenancy rules of src/tenancy.ts answered once per tag set, resource group
 * and subscription, and the shared services and clusters the config names matched per resource id.
 */
async function ownerTables(store: Store, runId: string, config: Config): Promise<void> {
  const tenancy = tenantResolver(config);
  const shared = new Set(config.mapping.shared_clusters.map((c) => c.toLowerCase()));
  const only = { tags: null, resource_group: null, subscription_id: null, type: '', name: '' };
  await store.query(
    `create or replace temp table fo_rid as
     select rid, lower(rid) as lid,
            case when split_part(lower(rid), '/', 4) = 'resourcegroups' then split_part(lower(rid), '/', 5) end as rg,
            case when split_part(lower(rid), '/', 2) = 'subscriptions' then split_part(lower(rid), '/', 3) end as sub
     from (select distinct ResourceId as rid from costs where run_id = $1 and ResourceId is not null)`,
    [runId],
  );
  const tags = await store.query<{ tags: string }>(
    'select distinct Tags::varchar as tags from costs where run_id = $1 and Tags is not null',
    [runId],
  );
  const tagRows = tags.flatMap(({ tags: text }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [];
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
    const t = parsed as Record<string, unknown>;
    const clusterTag = Object.entries(t).find(([k]) => k.toLowerCase() === 'aks-managed-cluster-name')?.[1];
    const cluster = typeof clusterTag === 'string' ? clusterTag.toLowerCase() : null;
    const tenant = tenancy.resourceTenant({ ...only, tags: t as Record<string, string> });
    if (!tenant && !cluster) return [];
    return [
      {
        tags: text,
        tenant,
        cluster,
        cluster_shared: cluster !== null && shared.has(cluster),
        cluster_tenant: cluster === null ? null : tenancy.clusterTenant(cluster),
      },
    ];
  });
  await store.tempTable(
    'fo_tags',
    { tags: 'varchar', tenant: 'varchar', cluster: 'varchar', cluster_shared: 'boolean', cluster_tenant: 'varchar' },
    tagRows,
  );
  const rgs = await store.query<{ rg: string }>('select distinct rg from fo_rid where rg is not null');
  await store.tempTable(
    'fo_rg',
    { rg: 'varchar', tenant: 'varchar' },
    rgs.map(({ rg }) => ({ rg, tenant: tenancy.resourceTenant({ ...only, resource_group: rg }) })).filter((r) => r.tenant),
  );
  const subs = await store.query<{ sub: string }>(
    `select distinct sub from fo_rid where sub is not null
     union select distinct lower(SubAccountId) from costs where run_id = $1 and SubAccountId is not null`,
    [runId],
  );
  await store.tempTable(
    'fo_sub',
    { sub: 'varchar', tenant: 'varchar' },
    subs.map(({ sub }) => ({ sub, tenant: tenancy.resourceTenant({ ...only, subscription_id: sub }) })).filter((r) => r.tenant),
  );
  // Clusters the config names: a cost row is the cluster's when it is the cluster, or sits in its node resource group
  // (the cluster's nodeResourceGroup, else AKS's default MC_<group>_<cluster>_<region>), or carries its
  // aks-managed-cluster-name tag.
  const named = [...shared, ...config.tenants.flatMap((t) => t.clusters.map((c) => c.toLowerCase()))];
  const found = await store.query<{ name: string; id: string; node_rg: string | null }>(
    `select lower(name) as name, lower(id) as id, lower(properties->>'$.nodeResourceGroup') as node_rg from resources
     where run_id = $1 and type = 'microsoft.containerservice/managedclusters'`,
    [runId],
  );
  const clusters = [...new Set(named)].map((name, ord) => {
    const hit = found.find((f) => f.name === name);
    return {
      name,
      ord,
      id: hit?.id ?? null,
      node_rg: hit?.node_rg ?? null,
      mc_like: `mc\\_%\\_${name.replaceAll('_', '\\_').replaceAll('%', '\\%')}\\_%`,
      shared: shared.has(name),
      tenant: tenancy.clusterTenant(name),
    };
  });
  await store.tempTable(
    'fo_clusters',
    {
      name: 'varchar',
      ord: 'integer',
      id: 'varchar',
      node_rg: 'varchar',
      mc_like: 'varchar',
      shared: 'boolean',
      tenant: 'varchar',
    },
    clusters,
  );
  // The few shared-service globs become one CASE over each resource id: a projection, where a join on a regex
  // condition would compare every pair.
  const lit = (v: string) => `'${v.replaceAll("'", "''")}'`;
  const services = config.finops.allocation.shared_services.flatMap((s) =>
    s.resources.map((g) => ({ name: s.name, re: globRegex(g) })),
  );
  const serviceCase = services.length
    ? `case ${services.map((s) => `when regexp_full_match(r.lid, ${lit(s.re)}) then ${lit(s.name)}`).join(' ')} end`
    : 'null::varchar';
  await store.query(
    `create or replace temp table fo_rid_owner as
     -- Node resource groups are matched once per distinct group, the cluster itself by its id: no per-row LIKE.
     with rg_cluster as (
       select g.rg, c.name, c.ord from (select distinct rg from fo_rid where rg is not null) g
       join fo_clusters c on g.rg = c.node_rg or g.rg like c.mc_like escape '\\'
     ),
     cl as (
       select rid, arg_min(c.name, c.ord) as cluster, arg_min(c.shared, c.ord) as cluster_shared,
              arg_min(c.tenant, c.ord) as cluster_tenant
       from (select r.rid, m.name from fo_rid r join rg_cluster m using (rg)
             union all select r.rid, c.name from fo_rid r join fo_clusters c on r.lid = c.id) x
       join fo_clusters c using (name)
       group by rid
     ),
     inv as (select lower(id) as lid, any_value(tenant_id) as inv_tenant from resources where run_id = $1 group by all)
     select r.rid, ${serviceCase} as shared_service, cl.cluster, cl.cluster_shared, cl.cluster_tenant, inv.inv_tenant,
            g.tenant as rg_tenant, s.tenant as sub_tenant
     from fo_rid r left join cl using (rid) left join inv using (lid)
     left join fo_rg g on g.rg = r.rg left join fo_sub s on s.sub = r.sub`,
    [runId],
  );
}

/** Per shared cluster with cost, the weight each recipient (tenant, shared namespace spread, idle, unassigned) takes. */
async function clusterWeightTable(ctx: FinopsContext, everyone: (reason: string) => void): Promise<void> {
  const { store, runId, config } = ctx;
  const settings = config.finops.allocation.shared_clusters;
  const tenancy = tenantResolver(config);
  const withCost = await store.query<{ cluster: string }>(
    "select distinct key as cluster from fo_pool where kind = 'cluster' order by 1",
  );
  if (!withCost.length) {
    await store.tempTable('fo_cluster_weights', weightColumns, []);
    return;
  }
  const [defined] = await store.query<{ n: number }>(
    "select count(*)::integer as n from duckdb_functions() where function_name = 'k8s_quantity'",
  );
  if (!defined?.n) await store.exec(sharedMacros());
  const names = withCost.map((c) => c.cluster);
  const list = `[${names.map((n) => `'${n.replaceAll("'", "''")}'`).join(', ')}]`;
  const usage = await store.query<ClusterUsage & { tenant: string | null }>(
    `with req as (
       select lower(cluster) as cluster, namespace, name as pod, c->>'$.name' as container,
              coalesce(k8s_quantity(c->>'$.resources.requests.cpu'), 0) as cpu,
              coalesce(k8s_quantity(c->>'$.resources.requests.memory'), 0) as mem
       from (select *, unnest(json_extract(spec, '$.containers[*]')) as c from k8s_objects
             where run_id = $1 and kind = 'Pod' and list_contains(${list}, lower(cluster))
               and coalesce(status->>'$.phase', 'Running') not in ('Succeeded', 'Failed'))
     ),
     use as (
       select lower(cluster) as cluster, namespace, pod, container,
              coalesce(cpu_avg_mcores, cpu_p95_mcores) / 1000 as cpu, coalesce(mem_avg_bytes, mem_max_bytes) as mem
       from k8s_usage where run_id = $1 and list_contains(${list}, lower(cluster))
     ),
     joined as (
       select coalesce(r.cluster, u.cluster) as cluster, coalesce(r.namespace, u.namespace) as namespace,
              r.cpu as cpu_req, r.mem as mem_req, u.cpu as cpu_use, u.mem as mem_use
       from req r full join use u using (cluster, namespace, pod, container)
     ),
     owners as (
       select lower(cluster) as cluster, coalesce(namespace, name) as namespace, any_value(tenant_id) as tenant
       from k8s_objects where run_id = $1 and (namespace is not null or kind = 'Namespace') group by all
     )
     select j.cluster, j.namespace, o.tenant,
            coalesce(sum(cpu_req), 0) as cpu_req, coalesce(sum(mem_req), 0) as mem_req,
            coalesce(sum(cpu_use), 0) as cpu_use, coalesce(sum(mem_use), 0) as mem_use,
            coalesce(sum(greatest(coalesce(cpu_req, 0), coalesce(cpu_use, 0))), 0) as cpu_max,
            coalesce(sum(greatest(coalesce(mem_req, 0), coalesce(mem_use, 0))), 0) as mem_max,
            count(cpu_use) > 0 as has_usage
     from joined j left join owners o using (cluster, namespace)
     group by all order by all`,
    [runId],
  );
  const capacity = await store.query<{ cluster: string; cpu: number | null; mem: number | null; nodes: number }>(
    `select lower(cluster) as cluster, sum(k8s_quantity(coalesce(status->>'$.allocatable.cpu', status->>'$.capacity.cpu'))) as cpu,
            sum(k8s_quantity(coalesce(status->>'$.allocatable.memory', status->>'$.capacity.memory'))) as mem,
            count(*)::integer as nodes
     from k8s_objects where run_id = $1 and kind = 'Node' and list_contains(${list}, lower(cluster)) group by all`,
    [runId],
  );
  const k8sScopes = await store.query<{ scope: string; status: string; error: string | null }>(
    `select scope, status, error from source_status where run_id = $1 and source = 'kubernetes' and status <> 'ok'`,
    [runId],
  );
  const rows = [];
  for (const cluster of names) {
    const scope = k8sScopes.find((s) => s.scope.toLowerCase() === `cluster:${cluster}` || s.scope === 'all');
    if (scope) everyone(`Kubernetes ${scope.status} for shared cluster ${cluster}: ${scope.error ?? 'incomplete'}`);
    const result = clusterWeights({
      cluster,
      settings,
      namespaces: usage
        .filter((u) => u.cluster === cluster)
        .map((u) => ({ ...u, tenant: u.tenant ?? tenancy.namespaceTenant(u.namespace, null) })),
      capacity: capacity.find((c) => c.cluster === cluster) ?? null,
    });
    for (const gap of result.gaps) everyone(gap);
    rows.push(...result.weights.map((w) => ({ cluster, ...w })));
  }
  await store.tempTable('fo_cluster_weights', weightColumns, rows);
}

const weightColumns = {
  cluster: 'varchar',
  tenant: 'varchar',
  source: 'varchar',
  namespace: 'varchar',
  method: 'varchar',
  weight: 'double',
};

/** Weights of the shared services split evenly or by fixed weights; proportional ones follow each day's direct cost. */
async function serviceWeightTable(store: Store, config: Config): Promise<void> {
  const tenants = config.tenants.map((t) => t.id);
  await store.tempTable(
    'fo_tenants',
    { tenant: 'varchar' },
    tenants.map((tenant) => ({ tenant })),
  );
  const rows: { service: string; tenant: string; weight: number; method: string }[] = [];
  const proportional: { name: string }[] = [];
  for (const s of config.finops.allocation.shared_services) {
    if (s.split === 'proportional') proportional.push({ name: s.name });
    else if (s.split === 'even')
      rows.push(...tenants.map((tenant) => ({ service: s.name, tenant, weight: 1 / tenants.length, method: 'even' })));
    else {
      const total = Object.values(s.split.weights).reduce((a, b) => a + b, 0);
      for (const [tenant, w] of Object.entries(s.split.weights))
        rows.push({ service: s.name, tenant, weight: w / total, method: `weights (${w} of ${total})` });
    }
  }
  await store.tempTable(
    'fo_service_weights',
    { service: 'varchar', tenant: 'varchar', weight: 'double', method: 'varchar' },
    rows,
  );
  await store.tempTable('fo_proportional_services', { name: 'varchar' }, proportional);
  // Credits can make a tenant's day negative; only positive direct cost earns a share.
  await store.query(
    `create or replace temp table fo_direct_share as
     with d as (select day, currency, key as tenant, greatest(sum(amount), 0)::double as amount from fo_pool
                where kind = 'direct' group by all)
     select day, currency, tenant, amount / sum(amount) over (partition by day, currency) as weight from d
     qualify sum(amount) over (partition by day, currency) > 0`,
  );
}
