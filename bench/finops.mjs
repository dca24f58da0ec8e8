#!/usr/bin/env node
// npm run bench:finops [-- ROWS] — FinOps at the issue's scale: a FOCUS 1.2 CSV of ROWS (default 10 million) charges,
// 200 tenants × 30 days, generated once into bench/.data/finops/ and reused. Then, each in its own process so each has
// its own peak RSS:
// 1. the floor: DuckDB's own read_csv of the same file into a table (types detected, nothing checked);
// 2. Compline: the file through the cost loader (header, format, every row typed and checked, refused rows named)
//    into a store on disk, as `compline run` does; then the rest of the estate the other collectors would have
//    written (a shared AKS cluster with its nodes, workloads, pods and usage; VMs with metrics; disks), not timed
//    against the goal; then runFinops's steps one by one (price sheet, allocation, rules, signals).
// Each phase prints wall and CPU seconds (the process's, DuckDB's threads included: the honest figure on a shared
// machine). Goal: ingestion + runFinops ≤ 60 s and ≤ 2 GB peak RSS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const data = fileURLToPath(new URL('./.data/finops/', import.meta.url));
const TENANTS = 200;
const DAYS = 30;
const PLATFORM_SUB = '99999999-9999-4999-8999-999999999999';
const tenant = (i) => `tenant_${String(i).padStart(3, '0')}`;

const phase = process.argv[2];
const rows = Number(process.argv[phase?.startsWith('--') ? 3 : 2] ?? 10_000_000);
const csv = join(data, `focus-${rows}.csv`);
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
const { DuckDBInstance } = await import(join(root, 'node_modules/@duckdb/node-api/lib/index.js'));

async function duck(path) {
  const instance = await DuckDBInstance.create(path, { threads: '2', memory_limit: '2GB' });
  return { instance, connection: await instance.connect() };
}

/** Wall and CPU seconds of one step. */
async function timed(step) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = await step();
  const used = process.cpuUsage(cpu);
  return { value, wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/**
 * 200 tenants' VMs, each day, as a FocusCost export writes them; a tenth carry no CustomerID tag (their resource group
 * names the tenant). Beside them the platform's: 1 row in 50 is the shared AKS cluster's node pool (in its MC_ group),
 * 1 in 100 the shared Log Analytics workspace, 1 in 40 an untagged public IP in a platform group.
 */
async function generate() {
  mkdirSync(data, { recursive: true });
  const { connection } = await duck(':memory:');
  const perTenantDay = Math.ceil(rows / (TENANTS * DAYS));
  const platform = `/subscriptions/${PLATFORM_SUB}/resourceGroups`;
  await connection.run(`copy (
    select round(c, 4) as BilledCost, round(c, 4) as EffectiveCost, round(c * 1.08, 4) as ListCost, 'USD' as BillingCurrency,
      '2026-11-01T00:00:00Z' as BillingPeriodStart, '2026-12-01T00:00:00Z' as BillingPeriodEnd,
      strftime(timestamp '2026-11-01' + to_days(d::integer), '%Y-%m-%dT%H:%M:%SZ') as ChargePeriodStart,
      strftime(timestamp '2026-11-02' + to_days(d::integer), '%Y-%m-%dT%H:%M:%SZ') as ChargePeriodEnd,
      'Usage' as ChargeCategory, 'Usage-Based' as ChargeFrequency, 'Standard' as PricingCategory,
      round(c * 3, 4) as PricingQuantity, 'Hours' as PricingUnit,
      case kind when 'pool' then '${platform}/MC_rg-plat_aks-shared_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/pool' || (i % 7)
                when 'law' then '${platform}/rg-plat/providers/Microsoft.OperationalInsights/workspaces/law-shared'
                when 'pip' then '${platform}/rg-plat/providers/Microsoft.Network/publicIPAddresses/pip' || (i % 500)
                else '/subscriptions/' || sub || '/resourceGroups/rg-tenant_' || t || '-prod/providers/Microsoft.Compute/virtualMachines/vm-' || r end as ResourceId,
      case kind when 'pool' then 'pool' || (i % 7) when 'law' then 'law-shared' when 'pip' then 'pip' || (i % 500) else 'vm-' || r end as ResourceName,
      case kind when 'pool' then 'microsoft.compute/virtualmachinescalesets' when 'law' then 'microsoft.operationalinsights/workspaces'
                when 'pip' then 'microsoft.network/publicipaddresses' else 'microsoft.compute/virtualmachines' end as ResourceType,
      'westeurope' as RegionId,
      case kind when 'law' then 'Log Analytics' when 'pip' then 'Virtual Network' else 'Virtual Machines' end as ServiceName,
      case kind when 'law' then 'Management and Governance' when 'pip' then 'Networking' else 'Compute' end as ServiceCategory,
      case kind when 'law' then 'Logging' when 'pip' then 'Network Connectivity' else 'Compute' end as ServiceSubcategory,
      '/subscriptions/' || if(kind = 'vm', sub, '${PLATFORM_SUB}') as SubAccountId, if(kind = 'vm', 'tenant-' || t, 'platform') as SubAccountName,
      'INV-2026-11' as InvoiceId, 'Microsoft' as ProviderName,
      case when kind <> 'vm' or r % 10 = 0 then '{"Environment":"prod"}' else '{"CustomerID":"tenant_' || t || '","Environment":"prod"}' end as Tags,
      case kind when 'pool' then 'MC_rg-plat_aks-shared_westeurope' when 'vm' then 'rg-tenant_' || t || '-prod' else 'rg-plat' end as x_ResourceGroupName
    from (select i, lpad((i % ${TENANTS})::varchar, 3, '0') as t, (i // ${TENANTS}) % ${DAYS} as d,
                 i // (${TENANTS} * ${DAYS}) as r,
                 '00000000-0000-4000-8000-' || lpad((i % ${TENANTS})::varchar, 12, '0') as sub,
                 case when i % 50 = 0 then 'pool' when i % 100 = 1 then 'law' when i % 40 = 2 then 'pip' else 'vm' end as kind,
                 0.05 + (hash(i) % 100000) / 10000.0 as c
          from range(${perTenantDay * TENANTS * DAYS}) t(i) limit ${rows})
  ) to ${lit(csv)} (header, delimiter ',')`);
}

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function floor() {
  const { connection } = await duck(join(data, 'floor.duckdb'));
  const t = await timed(() => connection.run(`create or replace table floor as select * from read_csv(${lit(csv)})`));
  const n = (await connection.runAndReadAll('select count(*) from floor')).getRows()[0][0];
  return { wall: t.wall, cpu: t.cpu, rows: Number(n), peakMb: peakMb() };
}

const config = () => `version: 1
tenants:
${Array.from({ length: TENANTS }, (_, i) => `  - { id: ${tenant(i)}, name: Tenant ${i}, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], regions: [westeurope] }`).join('\n')}
mapping: { shared_clusters: [aks-shared] }
sources:
  resource_graph: { mode: file, paths: [none] }
  cost: { mode: file, paths: [${lit(csv)}] }
finops:
  allocation:
    shared_services: [{ name: log-analytics, resources: ['*/workspaces/law-shared'], split: proportional }]
  signals:
    budgets: { tenant_000: { monthly: 1000, currency: USD } }
`;

/**
 * What the other collectors would have written, stamped with tenants as `compline run` stamps them: the shared cluster
 * (its ARM resource, 800 nodes, one Deployment of two containers per tenant and kube-system, about 20,000 pods with usage),
 * 50 VMs per tenant (the export's vm-0..49) with 14 days of CPU and memory metrics, 10 disks per tenant (half
 * unattached).
 */
async function estate(store, runId) {
  const RG = (t) =>
    `'/subscriptions/00000000-0000-4000-8000-' || lpad((${t})::varchar, 12, '0') || '/resourceGroups/rg-tenant_' || lpad((${t})::varchar, 3, '0') || '-prod'`;
  const tenantOf = (t) => `'tenant_' || lpad((${t})::varchar, 3, '0')`;
  await store.exec(`insert into resources (run_id, tenant_id, id, type, name, location, subscription_id, resource_group, tags, sku, properties, origin)
    values ('${runId}', null, '/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-plat/providers/Microsoft.ContainerService/managedClusters/aks-shared',
      'microsoft.containerservice/managedclusters', 'aks-shared', 'westeurope', '${PLATFORM_SUB}', 'rg-plat', '{}', '{}',
      '{"nodeResourceGroup":"MC_rg-plat_aks-shared_westeurope"}', 'live')`);
  await store.exec(`insert into resources (run_id, tenant_id, id, type, name, location, subscription_id, resource_group, tags, sku, properties, origin)
    select '${runId}', ${tenantOf('t')}, ${RG('t')} || '/providers/Microsoft.Compute/virtualMachines/vm-' || r,
      'microsoft.compute/virtualmachines', 'vm-' || r, 'westeurope', '00000000-0000-4000-8000-' || lpad(t::varchar, 12, '0'),
      'rg-tenant_' || lpad(t::varchar, 3, '0') || '-prod', json_object('CustomerID', ${tenantOf('t')}, 'workload-tier', if(r % 2 = 0, 'batch', 'frontend')), '{}',
      json_object('hardwareProfile', json_object('vmSize', 'Standard_D8s_v5'), 'storageProfile', json_object('osDisk', json_object('osType', 'Linux')),
                  'extended', json_object('instanceView', json_object('powerState', json_object('code', 'PowerState/running')))), 'live'
    from range(${TENANTS}) a(t), range(50) b(r)`);
  await store.exec(`insert into resources (run_id, tenant_id, id, type, name, location, subscription_id, resource_group, tags, sku, properties, origin)
    select '${runId}', ${tenantOf('t')}, ${RG('t')} || '/providers/Microsoft.Compute/disks/disk-' || r,
      'microsoft.compute/disks', 'disk-' || r, 'westeurope', '00000000-0000-4000-8000-' || lpad(t::varchar, 12, '0'),
      'rg-tenant_' || lpad(t::varchar, 3, '0') || '-prod', '{}', '{"name":"Premium_LRS"}',
      json_object('diskSizeGB', 128, 'diskState', if(r % 2 = 0, 'Unattached', 'Attached'), 'timeCreated', '2026-01-01T00:00:00Z'), 'live'
    from range(${TENANTS}) a(t), range(10) b(r)`);
  await store.exec(`insert into metrics (run_id, tenant_id, resource_id, metric, day, avg, max, p95, samples, min)
    select '${runId}', ${tenantOf('t')}, ${RG('t')} || '/providers/Microsoft.Compute/virtualMachines/vm-' || r, m,
      date '2026-12-05' - d::integer, 10, 20 + r, 5 + (r % 10) * 9, 1440, 16 * 1024 ^ 3 * (1 - (r % 5) / 10)
    from range(${TENANTS}) a(t), range(50) b(r), range(14) c(d), (values ('Percentage CPU'), ('Available Memory Bytes')) m(m)`);
  // One Deployment per tenant namespace (and kube-system's), 100 pods each whose names follow the ReplicaSet pattern.
  await store.exec(`insert into k8s_objects (run_id, tenant_id, cluster, kind, namespace, name, uid, labels, annotations, spec, status)
    select '${runId}', if(t < ${TENANTS}, ${tenantOf('t')}, null), 'aks-shared', 'Deployment',
      if(t < ${TENANTS}, 'gc-' || ${tenantOf('t')} || '-app', 'kube-system'), 'api', null, '{}', '{}',
      json_object('template', json_object('spec', json_object('containers', [
        json_object('name', 'app', 'resources', json_object('requests', json_object('cpu', '500m', 'memory', '512Mi'))),
        json_object('name', 'sidecar', 'resources', json_object('requests', json_object('cpu', '100m', 'memory', '128Mi')))]))),
      '{}'
    from range(${TENANTS + 1}) a(t)`);
  await store.exec(`insert into k8s_objects (run_id, tenant_id, cluster, kind, namespace, name, uid, labels, annotations, spec, status)
    select '${runId}', if(t < ${TENANTS}, ${tenantOf('t')}, null), 'aks-shared', 'Pod',
      if(t < ${TENANTS}, 'gc-' || ${tenantOf('t')} || '-app', 'kube-system'), 'api-5d8f7c9b6-' || lpad(p::varchar, 5, '0'), null, '{}', '{}',
      json_object('containers', [json_object('name', 'app', 'resources', json_object('requests', json_object('cpu', (100 + (t * 7 + p) % 900) || 'm', 'memory', (128 + p % 512) || 'Mi'))),
                                 json_object('name', 'sidecar', 'resources', json_object('requests', json_object('cpu', '100m', 'memory', '128Mi')))]),
      json_object('phase', 'Running')
    from range(${TENANTS + 1}) a(t), range(${Math.floor(20_000 / (TENANTS + 1))}) b(p)`);
  await store.exec(`insert into k8s_objects (run_id, tenant_id, cluster, kind, namespace, name, uid, labels, annotations, spec, status)
    select '${runId}', null, 'aks-shared', 'Node', null, 'node-' || n, null, '{}', '{}', '{}',
      json_object('allocatable', json_object('cpu', '16', 'memory', '64Gi'))
    from range(800) a(n)`);
  await store.exec(`insert into k8s_usage (run_id, tenant_id, cluster, namespace, pod, container, cpu_p95_mcores, mem_max_bytes,
      window_days, samples, cpu_avg_mcores, mem_avg_bytes, history_hours)
    select '${runId}', tenant_id, cluster, namespace, name, c, if(c = 'app', 40 + length(name) % 50, 20), 100 * 1024 ^ 2, 14, 4032,
      if(c = 'app', 30, 10), 80 * 1024 ^ 2, 336
    from k8s_objects, (values ('app'), ('sidecar')) x(c) where run_id = '${runId}' and kind = 'Pod'`);
  for (const source of ['resource_graph', 'monitor', 'kubernetes'])
    await store.recordSource(runId, { source, scope: 'all', status: 'ok', error: null, rows: 1, tenant_id: null });
}

async function compline() {
  const dist = (p) => import(join(root, 'dist', p));
  const { Store } = await dist('store.js');
  const { loadCostExport } = await dist('collectors/cost/load-export.js');
  const { loadConfig } = await dist('config.js');
  const { loadCatalogue } = await dist('rules.js');
  const { loadPrices } = await dist('finops/prices/load-prices.js');
  const { allocate } = await dist('finops/allocation/allocate.js');
  const { evaluateFinopsRules } = await dist('finops/rules/evaluate.js');
  const { computeSignals } = await dist('finops/signals/signals.js');
  const configPath = join(data, 'compline.yaml');
  writeFileSync(configPath, config());
  const loaded = await loadConfig(configPath, await loadCatalogue());
  rmSync(join(data, 'compline.duckdb'), { force: true });
  rmSync(join(data, 'compline.duckdb.wal'), { force: true });
  const store = await Store.open(join(data, 'compline.duckdb'));
  const runId = 'bench';
  await store.beginRun({ runId, mode: 'nightly', toolVersion: 'bench', configSha256: null });
  await store.recordTenants(runId, loaded.config.tenants);
  const ingest = await timed(() => loadCostExport(store, runId, { path: csv, label: 'focus.csv' }));
  const outcome = ingest.value;
  // Every row's x_SourceRow against what the generator wrote on that line (row i: day (i // 200) % 30, tenant i % 200,
  // a tenant VM vm-(i // 6000)), so a reordered or misnumbered row shows.
  const [{ misplaced }] = await store.query(`select count(*)::integer as misplaced from costs
    where run_id = '${runId}' and (day(ChargePeriodStart) - 1 <> ((x_SourceRow - 1) // ${TENANTS}) % ${DAYS}
      or (ResourceType = 'microsoft.compute/virtualmachines' and (ResourceName <> 'vm-' || ((x_SourceRow - 1) // ${TENANTS * DAYS})
          or SubAccountName <> 'tenant-' || lpad(((x_SourceRow - 1) % ${TENANTS})::varchar, 3, '0'))))`);
  await store.recordSource(runId, { source: 'cost', scope: 'file:focus.csv', ...outcome, tenant_id: null });
  const setup = await timed(() => estate(store, runId));
  await store.scopeToRun(runId);
  const ctx = { store, runId, config: loaded.config, baseDir: data, today: '2026-12-05', log: () => {} };
  // runFinops, step by step.
  const prices = await timed(() => loadPrices(ctx));
  const allocation = await timed(() => allocate(ctx));
  const rules = await timed(() => evaluateFinopsRules(ctx));
  const signals = await timed(() => computeSignals(ctx));
  const count = async (sql) => Number(Object.values((await store.query(sql))[0])[0]);
  const result = {
    ingest: { wall: ingest.wall, cpu: ingest.cpu, status: outcome.status, error: outcome.error, rows: outcome.rows, misplaced },
    estate: { wall: setup.wall, cpu: setup.cpu },
    prices: { wall: prices.wall, cpu: prices.cpu },
    allocation: {
      wall: allocation.wall,
      cpu: allocation.cpu,
      rows: await count(`select count(*) from allocations where run_id = '${runId}'`),
      tenants: await count(`select count(distinct tenant_id) from allocations where run_id = '${runId}'`),
      gaps: await count(`select count(*) from allocation_gaps where run_id = '${runId}'`),
    },
    rules: {
      wall: rules.wall,
      cpu: rules.cpu,
      recommendations: rules.value.filter((r) => r.status === 'recommend').length,
      errors: rules.value.filter((r) => r.status === 'error').length,
    },
    signals: {
      wall: signals.wall,
      cpu: signals.cpu,
      rows: await count(`select count(*) from finops_signals where run_id = '${runId}'`),
    },
    peakMb: peakMb(),
  };
  store.close();
  return result;
}

if (phase === '--floor') console.log(JSON.stringify(await floor()));
else if (phase === '--compline') console.log(JSON.stringify(await compline()));
else {
  const g = await timed(async () => {
    if (!existsSync(csv)) await generate();
  });
  const size = statSync(csv).size;
  const run = (p) =>
    JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), p, String(rows)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop(),
    );
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  const loadBefore = load();
  const f = run('--floor');
  rmSync(join(data, 'floor.duckdb'), { force: true });
  const c = run('--compline');
  const secs = (p) => `${p.wall.toFixed(1)} s wall, ${p.cpu.toFixed(1)} s CPU`;
  const finopsWall = c.prices.wall + c.allocation.wall + c.rules.wall + c.signals.wall;
  const finopsCpu = c.prices.cpu + c.allocation.cpu + c.rules.cpu + c.signals.cpu;
  const total = c.ingest.wall + finopsWall;
  const gb = (n) => (n / 1024).toFixed(2);
  console.log(
    `finops · ${rows.toLocaleString('en')} FOCUS rows (${TENANTS} tenants × ${DAYS} days), CSV ${(size / 1024 ** 2).toFixed(0)} MB${g.wall > 0.5 ? `, generated in ${g.wall.toFixed(1)} s` : ''}`,
  );
  console.log(
    `floor      DuckDB read_csv into a table  ${secs(f)} · ${f.rows.toLocaleString('en')} rows · peak RSS ${gb(f.peakMb)} GB`,
  );
  console.log(
    `ingest     cost loader (typed, checked)  ${secs(c.ingest)} · ${c.ingest.rows.toLocaleString('en')} rows · ${c.ingest.status}${c.ingest.error ? ` (${c.ingest.error})` : ''} · rows whose x_SourceRow is not their line ${c.ingest.misplaced}`,
  );
  console.log(`(estate    other collectors' tables      ${secs(c.estate)}, not counted)`);
  console.log(`prices     price sheet                   ${secs(c.prices)}`);
  console.log(
    `allocation shared cluster, service, idle  ${secs(c.allocation)} · ${c.allocation.rows.toLocaleString('en')} rows for ${c.allocation.tenants} tenants · gaps ${c.allocation.gaps}`,
  );
  console.log(
    `rules      FinOps rules                  ${secs(c.rules)} · ${c.rules.recommendations.toLocaleString('en')} recommendations · errors ${c.rules.errors}`,
  );
  console.log(`signals    anomaly, budget forecast      ${secs(c.signals)} · ${c.signals.rows} signals`);
  console.log(
    `total      ingest + runFinops            ${total.toFixed(1)} s wall, ${(c.ingest.cpu + finopsCpu).toFixed(1)} s CPU (ingestion ${(c.ingest.wall / f.wall).toFixed(2)} × the floor's wall, ${(c.ingest.cpu / f.cpu).toFixed(2)} × its CPU) · peak RSS ${gb(c.peakMb)} GB`,
  );
  console.log(`goal ≤ 60 s and ≤ 2 GB: ${total <= 60 && c.peakMb <= 2048 ? 'met' : 'NOT met'}`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load average ${loadBefore} before, ${load()} after`,
  );
}
