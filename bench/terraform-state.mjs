// npm run bench:terraform [-- --tenants N --envs N --per-state N --live N --each --queries --read-back]   (runs on the build in dist/)
// Terraform states against the live estate: tenants × environments state files (raw format 4, written once under
// bench/.data/) read through the terraform source into DuckDB, then the state checks over them and a live estate of
// --live resources, in one evaluation as `compline run` does: a store file (bench/.data/terraform-state.duckdb, removed
// after), the tenancy rules' subject owners, first-seen runs and kept tenants (--each: one check at a time).
// Prints each phase's wall and CPU time (all threads: readers, DuckDB) and the load average, as the machine is
// shared; the goal is the states read and compared in under 60 s. --queries: then each check's query alone, DuckDB
// counting the rows it returns (evidence built, nothing turned into findings): what the comparison costs in SQL.
// --read-back: then the run's findings read back as objects, as `compline run` reads them for its reports.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { folderStore } from '../dist/collectors/terraform-state/state-files.js';
import { TerraformStateSource } from '../dist/collectors/terraform-state/terraform-state-source.js';
import { boundSql, evaluateInto, storedFindings } from '../dist/engine.js';
import { loadCatalogue, sharedMacros } from '../dist/rules.js';
import { Store } from '../dist/store.js';
import { tenantResolver } from '../dist/tenancy.js';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '200' },
    envs: { type: 'string', default: '3' },
    'per-state': { type: 'string', default: '5000' },
    live: { type: 'string', default: '1000000' },
    each: { type: 'boolean', default: false },
    queries: { type: 'boolean', default: false },
    'read-back': { type: 'boolean', default: false },
  },
});
const TENANTS = Number(values.tenants);
const ENVS = ['prod', 'staging', 'dev', 'qa', 'uat'].slice(0, Number(values.envs));
const PER_STATE = Number(values['per-state']);
const LIVE = Number(values.live);
// The goal is stated for 200 tenants × 3 environments × 5,000 instances against 1 M live resources.
const atGoalSize = TENANTS >= 200 && ENVS.length >= 3 && PER_STATE >= 5000 && LIVE >= 1_000_000;
const sub = (t) => `00000000-0000-4000-8000-${String(t).padStart(12, '0')}`;
const tenantId = (t) => `t${String(t).padStart(3, '0')}`;

/** Resource i of a tenant's environment: a storage account or a key vault in rg-<tenant>-<env>. */
function resource(t, env, i) {
  const vault = i % 2 === 1;
  const name = `${vault ? 'kv' : 'st'}${tenantId(t)}${env}${i}`;
  const id = `/subscriptions/${sub(t)}/resourceGroups/rg-${tenantId(t)}-${env}/providers/${vault ? 'Microsoft.KeyVault/vaults' : 'Microsoft.Storage/storageAccounts'}/${name}`;
  return { id, name, vault };
}

function writeStates(dir) {
  for (let t = 0; t < TENANTS; t++) {
    for (const env of ENVS) {
      const parts = [];
      for (let i = 0; i < PER_STATE; i++) {
        const r = resource(t, env, i);
        const attributes = r.vault
          ? {
              id: r.id,
              name: r.name,
              resource_group_name: `rg-${tenantId(t)}-${env}`,
              location: 'eastus',
              purge_protection_enabled: true,
              soft_delete_retention_days: 90,
              tags: { CustomerID: tenantId(t) },
            }
          : {
              id: r.id,
              name: r.name,
              resource_group_name: `rg-${tenantId(t)}-${env}`,
              location: 'eastus',
              min_tls_version: 'TLS1_2',
              primary_access_key: `bench-key-${i}`,
              tags: { CustomerID: tenantId(t) },
            };
        parts.push(
          JSON.stringify({
            mode: 'managed',
            type: r.vault ? 'azurerm_key_vault' : 'azurerm_storage_account',
            name: `r${i}`,
            provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
            instances: [{ schema_version: 0, attributes, sensitive_attributes: [] }],
          }),
        );
      }
      const file = join(dir, 'customers', tenantId(t), env, 'terraform.tfstate');
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(
        file,
        `{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"bench-${t}-${env}","outputs":{},"resources":[${parts.join(',')}]}`,
      );
    }
  }
}

/** The live estate: the first resources of every state, spread evenly to reach --live, TLS lowered on every 100th. */
function* liveRows() {
  let rows = [];
  let made = 0;
  const perState = Math.ceil(LIVE / (TENANTS * ENVS.length));
  for (let t = 0; t < TENANTS; t++)
    for (const env of ENVS)
      for (let i = 0; i < perState && made < LIVE; i++, made++) {
        const r = resource(t, env, i);
        rows.push({
          id: r.id.toLowerCase(),
          type: r.vault ? 'microsoft.keyvault/vaults' : 'microsoft.storage/storageaccounts',
          name: r.name,
          location: 'eastus',
          subscription_id: sub(t),
          resource_group: `rg-${tenantId(t)}-${env}`,
          tags: { CustomerID: tenantId(t) },
          sku: null,
          properties: r.vault
            ? { enablePurgeProtection: true, softDeleteRetentionInDays: 90 }
            : { minimumTlsVersion: i % 100 === 0 ? 'TLS1_0' : 'TLS1_2' },
          origin: 'live',
          parent_id: null,
          plan_address: null,
          plan_actions: null,
          unknown_paths: null,
          secrets: null,
          tenant_id: tenantId(t),
        });
        if (rows.length === 50_000) {
          yield rows;
          rows = [];
        }
      }
  if (rows.length) yield rows;
}

const seconds = (from) => ((performance.now() - from) / 1000).toFixed(1);
/** CPU seconds of the whole process (every thread) since `from` (a process.cpuUsage()). */
const cpu = (from) => {
  const u = process.cpuUsage(from);
  return ((u.user + u.system) / 1e6).toFixed(1);
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main() {
  const dataDir = join(import.meta.dirname, '.data', `tfstate-${TENANTS}x${ENVS.length}x${PER_STATE}`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim()} · ${Math.round(totalmem() / 1024 ** 3)} GiB · node ${process.version} · load average ${load()}`,
  );
  if (!existsSync(dataDir)) {
    const t0 = performance.now();
    writeStates(dataDir);
    console.log(`wrote ${TENANTS * ENVS.length} states × ${PER_STATE} resources in ${seconds(t0)} s (once, reused)`);
  }
  const storePath = join(import.meta.dirname, '.data', 'terraform-state.duckdb');
  const removeStore = () => {
    for (const f of [storePath, `${storePath}.wal`]) rmSync(f, { force: true });
  };
  removeStore();
  const store = await Store.open(storePath);
  const runId = 'bench';
  await store.beginRun({ runId, mode: 'nightly', toolVersion: 'bench', configSha256: null });
  const t1 = performance.now();
  // Built in pieces and let go: a million row objects kept alive would slow every garbage collection after.
  let loaded = 0;
  for (const part of liveRows()) {
    await store.appendResources(runId, part);
    loaded += part.length;
  }
  await store.execOnReader('checkpoint', [], 0);
  console.log(`live estate: ${loaded} resources loaded in ${seconds(t1)} s (not counted: the Resource Graph collector's part)`);

  const tenants = Array.from({ length: TENANTS }, (_, t) => ({ id: tenantId(t), environments: ENVS }));
  const source = new TerraformStateSource(
    folderStore(dataDir, 'stbenchtfstate'),
    ['customers/{tenant}/{env}/terraform.tfstate'],
    tenants,
  );
  const start = performance.now();
  const startCpu = process.cpuUsage();
  let rows = 0;
  let failed = 0;
  for await (const event of source.collect()) {
    if (event.kind === 'iac-documents') {
      await store.appendIacDocuments(runId, event.documents);
      for (const d of event.documents) rows += d.count;
    } else if (event.kind === 'status') {
      await store.recordSource(runId, { ...event.status, tenant_id: event.status.tenant_id ?? null });
      if (event.status.status !== 'ok') failed++;
    }
  }
  console.log(
    `states: ${rows} instances from ${TENANTS * ENVS.length} files read, mapped and stored in ${seconds(start)} s, CPU ${cpu(startCpu)} s (${failed} scopes not ok)`,
  );

  const catalogue = await loadCatalogue();
  const checks = catalogue.checks.filter((c) => c.id.startsWith('iac-') && c.id !== 'iac-state-backend-hardening');
  const counts = new Map();
  const tenancy = tenantResolver({
    tenants: tenants.map((x, t) => ({ ...x, subscriptions: [sub(t)], clusters: [] })),
    mapping: { tenant_tag: 'CustomerID', resource_groups: ['rg-{tenant}-{env}'], namespaces: [] },
  });
  const ctx = {
    runId,
    tenantIds: tenants.map((x) => x.id),
    subjectTenant: (id) => tenancy.subjectTenant(id),
    waivers: [],
    params: {},
    today: new Date().toISOString().slice(0, 10),
  };
  const opts = { firstSeen: true, dropped: () => ({ platform: false, tenants: [] }) };
  const t2 = performance.now();
  const t2Cpu = process.cpuUsage();
  for (const group of values.each ? checks.map((c) => [c]) : [checks]) {
    const t = performance.now();
    const tCpu = process.cpuUsage();
    await evaluateInto(store, group, ctx, opts);
    if (values.each) console.log(`  ${group[0].id}: ${seconds(t)} s, CPU ${cpu(tCpu)} s`);
  }
  console.log(`checks: ${checks.length} in ${seconds(t2)} s, CPU ${cpu(t2Cpu)} s (findings stored in DuckDB)`);
  for (const { check_id, status, n } of await store.read(
    `select check_id, status, count(*)::integer as n from ${store.table('findings')} where run_id = '${runId}' group by all`,
  ))
    counts.set(`${check_id} ${status}`, n);
  for (const [k, n] of [...counts].sort()) console.log(`  ${k}: ${n}`);
  const total = (performance.now() - start) / 1000;
  console.log(
    `states read and compared: ${total.toFixed(1)} s, CPU ${cpu(startCpu)} s ${atGoalSize ? `(goal < 60 s): ${total < 60 ? 'met' : 'NOT met'}` : "(not the goal's size)"} · peak RSS ${(process.resourceUsage().maxRSS / 1024 ** 2).toFixed(2)} GB · load average ${load()}`,
  );
  if (values['read-back']) {
    // What `compline run` does next for its reports: every finding of the run back as JavaScript objects.
    const tr = performance.now();
    const trCpu = process.cpuUsage();
    const heapBefore = process.memoryUsage().heapUsed;
    const found = await storedFindings(store, runId, catalogue.checks);
    const heap = (process.memoryUsage().heapUsed - heapBefore) / 1024 ** 3;
    console.log(
      `read back: ${found.length} findings in ${seconds(tr)} s, CPU ${cpu(trCpu)} s, heap +${heap.toFixed(2)} GB · peak RSS ${(process.resourceUsage().maxRSS / 1024 ** 2).toFixed(2)} GB (after the total, not in it)`,
    );
  }
  if (values.queries) {
    await store.scopeToRun(runId);
    await store.defineOnReaders(sharedMacros());
    const tq = performance.now();
    const tqCpu = process.cpuUsage();
    for (const c of checks) {
      const t = performance.now();
      const tCpu = process.cpuUsage();
      const [{ n }] = await store.read(
        `select count(*)::integer as n, sum(length(evidence::varchar))::bigint as bytes from (${boundSql(c)}\n)`,
      );
      console.log(`  query ${c.id}: ${seconds(t)} s, CPU ${cpu(tCpu)} s, ${n} rows`);
    }
    console.log(`queries alone: ${seconds(tq)} s, CPU ${cpu(tqCpu)} s (after the total, not in it)`);
  }
  store.close();
  removeStore();
}

await main();
