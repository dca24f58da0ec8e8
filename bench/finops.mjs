#!/usr/bin/env node
// npm run bench:finops [-- ROWS] — FinOps at the issue's scale: a FOCUS 1.2 CSV of ROWS (default 10 million) charges,
// 200 tenants × 30 days, generated once into bench/.data/finops/. Then, each in its own process so each has its own
// peak RSS:
// 1. the floor: DuckDB's own read_csv of the same file into a table (types detected, nothing checked);
// 2. Compline: the file through the cost loader (header, format, every row typed and checked, refused rows named)
//    into a store on disk, as `compline run` does, then runFinops (allocation, rules, signals) over it, timed apart.
// Goal: ingestion + runFinops ≤ 60 s and ≤ 2 GB peak RSS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const data = fileURLToPath(new URL('./.data/finops/', import.meta.url));
const TENANTS = 200;
const DAYS = 30;

const phase = process.argv[2];
const rows = Number(process.argv[phase?.startsWith('--') ? 3 : 2] ?? 10_000_000);
const csv = join(data, `focus-${rows}.csv`);
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
const { DuckDBInstance } = await import(join(root, 'node_modules/@duckdb/node-api/lib/index.js'));

async function duck(path) {
  const instance = await DuckDBInstance.create(path, { threads: '2', memory_limit: '2GB' });
  return { instance, connection: await instance.connect() };
}

/** 200 tenants' resources, each day, as a FocusCost export writes them; a tenth carry no CustomerID tag. */
async function generate() {
  mkdirSync(data, { recursive: true });
  const { connection } = await duck(':memory:');
  const perTenantDay = Math.ceil(rows / (TENANTS * DAYS));
  await connection.run(`copy (
    select round(c, 4) as BilledCost, round(c, 4) as EffectiveCost, round(c * 1.08, 4) as ListCost, 'USD' as BillingCurrency,
      '2026-11-01T00:00:00Z' as BillingPeriodStart, '2026-12-01T00:00:00Z' as BillingPeriodEnd,
      strftime(timestamp '2026-11-01' + to_days(d::integer), '%Y-%m-%dT%H:%M:%SZ') as ChargePeriodStart,
      strftime(timestamp '2026-11-02' + to_days(d::integer), '%Y-%m-%dT%H:%M:%SZ') as ChargePeriodEnd,
      'Usage' as ChargeCategory, 'Usage-Based' as ChargeFrequency, 'Standard' as PricingCategory,
      round(c * 3, 4) as PricingQuantity, 'Hours' as PricingUnit,
      '/subscriptions/' || sub || '/resourceGroups/rg-tenant_' || t || '-prod/providers/Microsoft.Compute/virtualMachines/vm-' || r as ResourceId,
      'vm-' || r as ResourceName, 'microsoft.compute/virtualmachines' as ResourceType, 'westeurope' as RegionId,
      'Virtual Machines' as ServiceName, 'Compute' as ServiceCategory, 'Compute' as ServiceSubcategory,
      '/subscriptions/' || sub as SubAccountId, 'tenant-' || t as SubAccountName, 'INV-2026-11' as InvoiceId,
      'Microsoft' as ProviderName,
      case when r % 10 = 0 then '{"Environment":"prod"}' else '{"CustomerID":"tenant_' || t || '","Environment":"prod"}' end as Tags,
      'rg-tenant_' || t || '-prod' as x_ResourceGroupName
    from (select i, lpad((i % ${TENANTS})::varchar, 3, '0') as t, (i // ${TENANTS}) % ${DAYS} as d,
                 i // (${TENANTS} * ${DAYS}) as r,
                 '00000000-0000-4000-8000-' || lpad((i % ${TENANTS})::varchar, 12, '0') as sub,
                 0.05 + (hash(i) % 100000) / 10000.0 as c
          from range(${perTenantDay * TENANTS * DAYS}) t(i) limit ${rows})
  ) to ${lit(csv)} (header, delimiter ',')`);
}

function peakMb() {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function floor() {
  const { connection } = await duck(join(data, 'floor.duckdb'));
  const t = performance.now();
  await connection.run(`create or replace table floor as select * from read_csv(${lit(csv)})`);
  const seconds = (performance.now() - t) / 1000;
  const n = (await connection.runAndReadAll('select count(*) from floor')).getRows()[0][0];
  return { seconds, rows: Number(n), peakMb: peakMb() };
}

async function compline() {
  const { Store } = await import(join(root, 'dist/store.js'));
  const { loadCostExport } = await import(join(root, 'dist/collectors/cost/load-export.js'));
  const { runFinops } = await import(join(root, 'dist/finops/index.js'));
  const { loadConfig } = await import(join(root, 'dist/config.js'));
  const { loadCatalogue } = await import(join(root, 'dist/rules.js'));
  const configPath = join(data, 'compline.yaml');
  const tenants = Array.from({ length: TENANTS }, (_, i) => {
    const id = `tenant_${String(i).padStart(3, '0')}`;
    return `  - { id: ${id}, name: Tenant ${i}, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], regions: [westeurope] }`;
  });
  writeFileSync(
    configPath,
    `version: 1\ntenants:\n${tenants.join('\n')}\nsources:\n  resource_graph: { mode: file, paths: [none] }\n  cost: { mode: file, paths: [${lit(csv)}] }\n`,
  );
  const loaded = await loadConfig(configPath, await loadCatalogue());
  rmSync(join(data, 'compline.duckdb'), { force: true });
  const store = await Store.open(join(data, 'compline.duckdb'));
  const runId = 'bench';
  await store.beginRun({ runId, mode: 'nightly', toolVersion: 'bench', configSha256: null });
  let t = performance.now();
  const outcome = await loadCostExport(store, runId, { path: csv, label: 'focus.csv' });
  const ingest = (performance.now() - t) / 1000;
  await store.recordSource(runId, { source: 'cost', scope: 'file:focus.csv', ...outcome, tenant_id: null });
  await store.scopeToRun(runId);
  t = performance.now();
  await runFinops({ store, runId, config: loaded.config, baseDir: data, today: '2026-12-05', log: () => {} });
  const finops = (performance.now() - t) / 1000;
  store.close();
  return { ingest, finops, status: outcome.status, error: outcome.error, rows: outcome.rows, peakMb: peakMb() };
}

if (phase === '--floor') console.log(JSON.stringify(await floor()));
else if (phase === '--compline') console.log(JSON.stringify(await compline()));
else {
  const t = performance.now();
  if (!existsSync(csv)) await generate();
  const generated = (performance.now() - t) / 1000;
  const size = statSync(csv).size;
  const run = (p) =>
    JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), p, String(rows)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop(),
    );
  const f = run('--floor');
  rmSync(join(data, 'floor.duckdb'), { force: true });
  const c = run('--compline');
  const total = c.ingest + c.finops;
  const gb = (n) => (n / 1024).toFixed(2);
  console.log(
    `finops · ${rows.toLocaleString('en')} FOCUS rows (${TENANTS} tenants × ${DAYS} days), CSV ${(size / 1024 ** 2).toFixed(0)} MB${generated > 0.5 ? `, generated in ${generated.toFixed(1)} s` : ''}`,
  );
  console.log(
    `floor     DuckDB read_csv into a table      ${f.seconds.toFixed(1)} s · ${f.rows.toLocaleString('en')} rows · peak RSS ${gb(f.peakMb)} GB`,
  );
  console.log(
    `compline  cost loader (typed, checked)      ${c.ingest.toFixed(1)} s · ${c.rows.toLocaleString('en')} rows · ${c.status}${c.error ? ` (${c.error})` : ''}`,
  );
  console.log(`          runFinops (allocation, rules, signals) ${c.finops.toFixed(1)} s`);
  console.log(
    `          total ${total.toFixed(1)} s (${(c.ingest / f.seconds).toFixed(2)} × the floor for ingestion) · peak RSS ${gb(c.peakMb)} GB`,
  );
  console.log(`goal ≤ 60 s and ≤ 2 GB: ${total <= 60 && c.peakMb <= 2048 ? 'met' : 'NOT met'}`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
