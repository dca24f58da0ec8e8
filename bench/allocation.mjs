// `npm run bench:allocation [-- ROWS]`: allocation and signals over 10 million FOCUS cost rows of 200 tenants × 30
// days in a DuckDB store on disk (rows generated inside DuckDB), with a shared cluster, a shared service and untagged
// cost; prints the wall time of each step and the peak RSS beside the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../dist/config.js';
import { allocate } from '../dist/finops/allocation/allocate.js';
import { computeSignals } from '../dist/finops/signals/signals.js';
import { Store } from '../dist/store.js';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const TENANTS = 200;
const DAYS = 30;
const RUN = 'bench-run';
const tenant = (i) => `t${String(i).padStart(3, '0')}`;
const SUB = '99999999-9999-4999-8999-999999999999';

const cfg = parseConfig(
  `version: 1
tenants:
${Array.from({ length: TENANTS }, (_, i) => `  - { id: ${tenant(i)}, name: T${i}, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }`).join('\n')}
mapping: { shared_clusters: [aks-shared] }
finops:
  allocation:
    shared_services: [{ name: log-analytics, resources: ['*/workspaces/law-shared'], split: proportional }]
  signals:
    budgets: { t000: { monthly: 100000, currency: EUR } }
`,
  'bench.yaml',
);

const dir = mkdtempSync(join(tmpdir(), 'compline-bench-alloc-'));
const store = await Store.open(join(dir, 'bench.duckdb'));
try {
  await store.beginRun({ runId: RUN, mode: 'nightly', toolVersion: 'bench', configSha256: null });
  await store.recordTenants(RUN, cfg.tenants);
  let t = performance.now();
  // Per row i: a day, a tenant, one of 1,000 resources per tenant. 1 in 50 rows is the shared cluster's node pool,
  // 1 in 100 the shared workspace, 1 in 40 untagged in a platform group; 1 in 3 of the rest carries the CustomerID tag.
  await store.exec(`insert into costs (run_id, EffectiveCost, BilledCost, ChargePeriodStart, ResourceId, ServiceName,
      SubAccountId, BillingCurrency, Tags)
    select '${RUN}', c, c, timestamptz '2026-11-01 00:00:00+00' + to_days((i % ${DAYS})::integer),
      case when i % 50 = 0 then '/subscriptions/${SUB}/resourceGroups/MC_rg-plat_aks-shared_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/pool' || (i % 7)
           when i % 100 = 1 then '/subscriptions/${SUB}/resourceGroups/rg-plat/providers/Microsoft.OperationalInsights/workspaces/law-shared'
           when i % 40 = 2 then '/subscriptions/${SUB}/resourceGroups/rg-plat/providers/Microsoft.Network/publicIPAddresses/pip' || (i % 500)
           else '/subscriptions/${SUB}/resourceGroups/rg-t' || lpad(((i // ${DAYS}) % ${TENANTS})::varchar, 3, '0') || '-prod/providers/Microsoft.Compute/disks/d' || ((i // ${DAYS * TENANTS}) % 1000) end,
      case i % 3 when 0 then 'Virtual Machines' when 1 then 'Storage' else 'Bandwidth' end, '${SUB}', 'EUR',
      case when i % 3 = 0 then json_object('CustomerID', 't' || lpad(((i // ${DAYS}) % ${TENANTS})::varchar, 3, '0')) end
    from (select range as i, round(random() * 20, 6)::decimal(18, 6) as c from range(${ROWS}))`);
  await store.exec(`insert into k8s_objects (run_id, tenant_id, cluster, kind, namespace, name, labels, annotations, spec, status)
    select '${RUN}', case when ns like 'gc-%' then 't' || lpad((n % ${TENANTS})::varchar, 3, '0') end, 'aks-shared', 'Pod', ns, 'p' || n, '{}', '{}',
      json_object('containers', [json_object('name', 'c', 'resources', json_object('requests', json_object('cpu', (100 + n % 900) || 'm', 'memory', (128 + n % 512) || 'Mi')))]),
      json_object('phase', 'Running')
    from (select range as n, case when range % 20 = 0 then 'kube-system' else 'gc-t' || lpad((range % ${TENANTS})::varchar, 3, '0') || '-app' end as ns from range(20000))`);
  await store.exec(`insert into k8s_objects (run_id, tenant_id, cluster, kind, namespace, name, labels, annotations, spec, status)
    select '${RUN}', null, 'aks-shared', 'Node', null, 'n' || range, '{}', '{}', '{}',
      json_object('allocatable', json_object('cpu', '16', 'memory', '64Gi')) from range(800)`);
  const load = (performance.now() - t) / 1000;
  const ctx = { store, runId: RUN, config: cfg, baseDir: '.', today: '2026-12-01', log: () => {} };
  t = performance.now();
  await allocate(ctx);
  const allocation = (performance.now() - t) / 1000;
  t = performance.now();
  await computeSignals(ctx);
  const signals = (performance.now() - t) / 1000;
  const [{ rows, tenants }] = await store.query(
    `select count(*)::integer as rows, count(distinct tenant_id)::integer as tenants from allocations where run_id = '${RUN}'`,
  );
  // Reconciliation, independently of the allocation's own check: each day's allocations against its cost.
  const [{ n }] = await store.query(
    `select count(*)::integer as n
     from (select (ChargePeriodStart at time zone 'UTC')::date as day, BillingCurrency as currency, round(sum(EffectiveCost), 2) as t
           from (select ChargePeriodStart, BillingCurrency, sum(EffectiveCost) as EffectiveCost from costs group by all) group by all) c
     join (select day, currency, sum(amount) as t from allocations group by all) a using (day, currency)
     where a.t = c.t`,
  );
  console.log(
    `allocation · ${ROWS.toLocaleString('en-US')} FOCUS rows · ${TENANTS} tenants × ${DAYS} days · shared cluster of 20,000 pods`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `generate rows in DuckDB ${load.toFixed(1)} s · allocate ${allocation.toFixed(1)} s · signals ${signals.toFixed(1)} s`,
  );
  console.log(`allocation rows ${rows} · tenants ${tenants} · days reconciled to the cent ${n} of ${DAYS}`);
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
