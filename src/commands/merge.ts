// `compline merge --run ID`: the platform-wide summary of a sharded run, from the shards' snapshots: each tenant's
// verdict counts and FinOps totals. It fails closed: a shard that is missing, whose files are missing or altered, whose
// signature does not verify, that ran another config, that did not see its sources whole, or that found rows of a
// tenant its shard never collected is named, and no summary is given as if the run were complete; so is a bill the
// shards' allocations do not add up to, to the cent.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type AzureConnection, azureConnection } from '../collectors/azure/connection.js';
import { type Config, type LoadedConfig, loadConfig } from '../config.js';
import { parseDetached, verifyDetached } from '../evidence/jws.js';
import { loadSigner, type Signer } from '../evidence/signer.js';
import { type FinopsSection, readFinopsSections } from '../reports/finops-section.js';
import { defaultCredential } from '../reports/storage/blob-publisher.js';
import { type Counts, emptyCounts } from '../reports/tenant-report.js';
import { loadCatalogue } from '../rules.js';
import { type FoundShards, shardsInContainer, shardsInFolder } from '../sharding/shard-sources.js';
import { SHARD_MANIFEST, SHARD_SIGNATURE, type ShardManifest } from '../sharding/snapshot.js';
import { Store } from '../store.js';
import { EXIT_SOURCES_INCOMPLETE, finopsTable, PLATFORM } from './run.js';

export interface MergeOptions {
  config: string;
  runId: string;
  /** The shards' `--out` folder; default: output.blob when configured, else output.dir. */
  from?: string;
  /** The shard count the caller expects; default: what the shards' manifests say. */
  shards?: number;
  env?: NodeJS.ProcessEnv;
}

export interface MergeResult {
  runId: string;
  /** ok: every shard whole and complete. */
  status: 'ok' | 'incomplete';
  shards: { name: string; status: string }[];
  /** Tenant → framework → counts, in the config's tenant order, `_platform` last. */
  tenants: Map<string, Map<string, Counts>>;
  /** Tenant → its report.json FinOps section as one process would have written it; empty without a cost source. */
  finops: Map<string, FinopsSection>;
  /** signed: every shard.json verified under the configured signer; checksums: no signer, files checked against shard.json only. */
  integrity: 'signed' | 'checksums';
  summary: string;
  exitCode: 0 | 4;
  exitReason: string | null;
  location: string;
}

const incomplete = (runId: string, location: string, why: string): MergeResult => ({
  runId,
  status: 'incomplete',
  shards: [],
  tenants: new Map(),
  finops: new Map(),
  integrity: 'checksums',
  summary: '',
  exitCode: EXIT_SOURCES_INCOMPLETE,
  exitReason: `merge of run ${runId} failed: ${why} (${location})`,
  location,
});

export async function mergeCommand(opts: MergeOptions): Promise<MergeResult> {
  const env = opts.env ?? process.env;
  const catalogue = await loadCatalogue();
  const loaded = await loadConfig(opts.config, catalogue);
  const { config } = loaded;
  let found: FoundShards;
  let temp: string | null = null;
  if (opts.from || !config.output.blob) {
    found = await shardsInFolder(opts.from ? resolve(opts.from) : resolve(loaded.baseDir, config.output.dir), opts.runId);
  } else {
    const credential = () => (config.azure ? azureConnection(config.azure, env).credential : defaultCredential());
    const downloaded = await shardsInContainer(config.output.blob, env, credential, opts.runId);
    found = downloaded;
    temp = downloaded.temp;
  }
  try {
    // The shards signed with the configured signer: the merge verifies with the same configuration's key.
    // Made when the signer first needs it (a key file needs none); it knows the secrets an error may echo.
    let connection: AzureConnection | undefined;
    const credential = () => {
      if (!config.azure) return defaultCredential();
      connection ??= azureConnection(config.azure, env);
      return connection.credential;
    };
    const signer = config.signer
      ? await loadSigner(
          config.signer,
          loaded.baseDir,
          resolve(loaded.baseDir, config.output.store),
          env,
          credential,
          (t) => connection?.redact(t) ?? t,
        )
      : null;
    return await merge(opts, found, loaded, catalogue, signer);
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

async function readManifest(folder: string): Promise<{ manifest: ShardManifest; bytes: Buffer } | string> {
  const bytes = await readFile(join(folder, SHARD_MANIFEST)).catch(() => null);
  if (bytes === null) return `no ${SHARD_MANIFEST}`;
  try {
    const m = JSON.parse(bytes.toString('utf8')) as ShardManifest;
    if (m.schema !== 'compline.shard/v1') return `${SHARD_MANIFEST} is not a compline.shard/v1 manifest`;
    return { manifest: m, bytes };
  } catch {
    return `${SHARD_MANIFEST} is not JSON`;
  }
}

/** Why a shard's signature does not hold, or null when shard.json is the signer's, byte for byte. */
async function signatureProblem(folder: string, bytes: Buffer, signer: Signer): Promise<string | null> {
  const text = await readFile(join(folder, SHARD_SIGNATURE), 'utf8').catch(() => null);
  if (text === null) return `${SHARD_MANIFEST} is not signed (no ${SHARD_SIGNATURE}), and the config has a signer`;
  const parsed = parseDetached(text);
  if (!parsed) return `${SHARD_SIGNATURE} is not a detached JWS`;
  if (parsed.header.kid !== signer.kid)
    return `${SHARD_MANIFEST} is signed by key ${parsed.header.kid}, not by the configured signer (${signer.kid})`;
  return verifyDetached(parsed, bytes, signer.publicKey)
    ? null
    : `${SHARD_MANIFEST} does not match its signature (altered after signing)`;
}

async function merge(
  opts: MergeOptions,
  found: FoundShards,
  loaded: LoadedConfig,
  catalogue: Awaited<ReturnType<typeof loadCatalogue>>,
  signer: Signer | null,
): Promise<MergeResult> {
  const { runId } = opts;
  const configSha256 = loaded.sha256;
  const fail = (why: string) => incomplete(runId, found.location, why);
  const manifests = new Map<string, ShardManifest>();
  for (const [name, folder] of [...found.folders].sort()) {
    const read = await readManifest(folder);
    if (typeof read === 'string') return fail(`${name} is partial: ${read}`);
    const m = read.manifest;
    const unsigned = signer ? await signatureProblem(folder, read.bytes, signer) : null;
    if (unsigned) return fail(`${name}: ${unsigned}`);
    for (const [file, sha] of Object.entries(m.files)) {
      const data = await readFile(join(folder, file)).catch(() => null);
      if (!data) return fail(`${name} is partial: ${file} is missing`);
      if (createHash('sha256').update(data).digest('hex') !== sha) return fail(`${name}: ${file} differs from its manifest`);
    }
    manifests.set(name, m);
  }
  const counts = new Set([...manifests.values()].map((m) => m.shard.count));
  if (opts.shards !== undefined) counts.add(opts.shards);
  if (manifests.size === 0) return fail('no shard found');
  if (counts.size > 1) return fail(`shards disagree on the shard count (${[...counts].sort().join(', ')})`);
  const count = [...counts][0]!;
  const missing = Array.from({ length: count }, (_, i) => `shard-${i}-of-${count}`).filter((n) => !manifests.has(n));
  if (missing.length) return fail(`${missing.join(', ')} missing (${manifests.size} of ${count} shards found)`);
  const stray = [...manifests.keys()].find((n) => !n.endsWith(`-of-${count}`));
  if (stray) return fail(`${stray} belongs to another shard count`);
  const all = [...manifests.entries()];
  for (const [name, m] of all) {
    if (m.run_id !== runId) return fail(`${name} is of run ${m.run_id}`);
    if (m.config_sha256 !== configSha256) return fail(`${name} ran another config (sha256 ${m.config_sha256.slice(0, 12)}…)`);
    if (m.status !== 'ok')
      return fail(
        `${name} is ${m.status}: its sources were not collected whole${await firstIncomplete(found.folders.get(name)!)}`,
      );
  }
  // A tenant's rows its own shard never collected: that tenant's reports are not whole.
  const lost = all.flatMap(([name, m]) => (m.strays ?? []).map((s) => ({ ...s, name })))[0];
  if (lost)
    return fail(
      `tenant ${lost.tenant} has ${lost.rows} row${lost.rows === 1 ? '' : 's'} in ${lost.scope} (found by ${lost.name}), which its shard does not collect`,
    );
  // Every tenant reported once, by exactly one shard.
  const tenants = all[0]![1].tenants;
  const reportedBy = new Map<string, string>();
  for (const [name, m] of all)
    for (const t of m.reported) {
      if (reportedBy.has(t)) return fail(`${t} reported by both ${reportedBy.get(t)} and ${name}`);
      reportedBy.set(t, name);
    }
  const unreported = tenants.filter((t) => !reportedBy.has(t));
  if (unreported.length) return fail(`no shard reported ${unreported.join(', ')}`);

  const store = await Store.open(':memory:');
  try {
    const files = (table: string) =>
      `[${[...manifests.keys()].map((n) => `'${join(found.folders.get(n)!, `${table}.parquet`).replaceAll("'", "''")}'`).join(', ')}]`;
    const finops = await mergedFinops(store, files, runId, tenants, loaded.config);
    if (typeof finops === 'string') return fail(finops);
    const rows = await store.read<{ tenant: string | null; check_id: string; status: keyof Counts; n: number }>(
      `select tenant_id as tenant, check_id, status, count(*)::integer as n from read_parquet(${files('findings')}) group by all`,
    );
    const tenantRows = await store.read<{ tenant_id: string; frameworks: string[] }>(
      `select distinct tenant_id, frameworks from read_parquet(${files('tenants')})`,
    );
    const frameworksOf = new Map(tenantRows.map((t) => [t.tenant_id, t.frameworks]));
    const merged = new Map<string, Map<string, Counts>>();
    for (const tenant of tenants) {
      const fws = tenant === '_platform' ? [...catalogue.frameworks.keys()] : (frameworksOf.get(tenant) ?? []);
      merged.set(tenant, new Map(fws.map((fw) => [fw, emptyCounts()])));
    }
    for (const r of rows) {
      const section = merged.get(r.tenant ?? '_platform');
      const requirements = catalogue.byId.get(r.check_id)?.requirements ?? {};
      for (const [fw, c] of section ?? []) if (requirements[fw]) c[r.status] += r.n;
    }
    return {
      runId,
      status: 'ok',
      shards: all.map(([name, m]) => ({ name, status: m.status })),
      tenants: merged,
      finops,
      integrity: signer ? 'signed' : 'checksums',
      summary: [countsTable(merged), finopsTable(finops)].filter(Boolean).join('\n\n'),
      exitCode: 0,
      exitReason: null,
      location: found.location,
    };
  } finally {
    store.close();
  }
}

/** ` (cost partial for file:x.csv: …)`: the first scope a partial shard recorded as incomplete, or nothing. */
async function firstIncomplete(folder: string): Promise<string> {
  const store = await Store.open(':memory:');
  try {
    const file = join(folder, 'source_status.parquet').replaceAll("'", "''");
    const [s] = await store
      .read<{ source: string; scope: string; status: string; error: string | null }>(
        `select source, scope, status, error from read_parquet('${file}') where status <> 'ok' order by source, scope limit 1`,
      )
      .catch(() => []);
    return s ? ` (${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'})` : '';
  } finally {
    store.close();
  }
}

/**
 * Each tenant's FinOps section from the shards' rows, read as `compline run` reads its own store, and the bill checked
 * against them: every shard keeps only its tenants' allocations (the platform's on shard 0) and the cost rows it
 * answers for, so together they must add up, per day and currency, to the cent. A string says why they do not.
 */
async function mergedFinops(
  store: Store,
  files: (table: string) => string,
  runId: string,
  tenants: readonly string[],
  config: Config,
): Promise<Map<string, FinopsSection> | string> {
  for (const table of ['source_status', 'costs', 'allocations', 'allocation_gaps', 'recommendations', 'finops_signals'])
    await store.exec(`insert into ${table} by name select * from read_parquet(${files(table)}, union_by_name = true)`);
  const sections = await readFinopsSections(
    store,
    runId,
    tenants.filter((t) => t !== PLATFORM),
  );
  const out = new Map<string, FinopsSection>();
  for (const t of tenants) {
    const section = sections.get(t === PLATFORM ? null : t);
    if (section && section.status !== 'not_collected') out.set(t, section);
  }
  const cost = config.finops.allocation.cost_column;
  const [drift] = await store.read<{ day: string; currency: string; allocated: string | null; billed: string | null }>(
    `with billed as (
       select (ChargePeriodStart at time zone 'UTC')::date as day, coalesce(BillingCurrency, 'XXX') as currency,
              round(sum(coalesce(${cost}, 0)), 2) as amount
       from costs where ChargePeriodStart is not null group by all
     ), allocated as (select day, currency, sum(amount) as amount from allocations group by all)
     select strftime(day, '%Y-%m-%d') as day, currency, a.amount::varchar as allocated, b.amount::varchar as billed
     from billed b full join allocated a using (day, currency)
     where a.amount is distinct from b.amount order by day, currency limit 1`,
  );
  if (drift)
    return `the shards' cost allocations do not add up to the bill: ${drift.currency} on ${drift.day} allocated ${drift.allocated ?? '0'}, billed ${drift.billed ?? '0'}`;
  return out;
}

/** The same table `compline run` prints. */
export function countsTable(tenants: Map<string, Map<string, Counts>>): string {
  const lines = [['tenant', 'framework', 'pass', 'fail', 'error', 'waived', 'unknown']];
  for (const [tenant, frameworks] of tenants) {
    if (!frameworks.size) lines.push([tenant, '-', '', '', '', '', '']);
    for (const [fw, c] of frameworks) lines.push([tenant, fw, ...[c.pass, c.fail, c.error, c.waived, c.unknown].map(String)]);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l) => l.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}
