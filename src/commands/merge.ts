// `compline merge --run ID`: the platform-wide summary of a sharded run, from the shards' snapshots. It fails closed:
// a shard that is missing, whose files are missing or altered, that ran another config, or that did not see its
// sources whole is named, and no summary is given as if the run were complete.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { azureConnection } from '../collectors/azure/connection.js';
import { loadConfig } from '../config.js';
import { defaultCredential } from '../reports/storage/blob-publisher.js';
import { type Counts, emptyCounts } from '../reports/tenant-report.js';
import { loadCatalogue } from '../rules.js';
import { type FoundShards, shardsInContainer, shardsInFolder } from '../sharding/shard-sources.js';
import { SHARD_MANIFEST, type ShardManifest } from '../sharding/snapshot.js';
import { Store } from '../store.js';
import { EXIT_SOURCES_INCOMPLETE } from './run.js';

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
    return await merge(opts, found, loaded.sha256, catalogue);
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

async function readManifest(folder: string): Promise<ShardManifest | string> {
  const text = await readFile(join(folder, SHARD_MANIFEST), 'utf8').catch(() => null);
  if (text === null) return `no ${SHARD_MANIFEST}`;
  try {
    const m = JSON.parse(text) as ShardManifest;
    if (m.schema !== 'compline.shard/v1') return `${SHARD_MANIFEST} is not a compline.shard/v1 manifest`;
    return m;
  } catch {
    return `${SHARD_MANIFEST} is not JSON`;
  }
}

async function merge(
  opts: MergeOptions,
  found: FoundShards,
  configSha256: string,
  catalogue: Awaited<ReturnType<typeof loadCatalogue>>,
): Promise<MergeResult> {
  const { runId } = opts;
  const fail = (why: string) => incomplete(runId, found.location, why);
  const manifests = new Map<string, ShardManifest>();
  for (const [name, folder] of [...found.folders].sort()) {
    const m = await readManifest(folder);
    if (typeof m === 'string') return fail(`${name} is partial: ${m}`);
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
    if (m.status !== 'ok') return fail(`${name} is ${m.status}: its sources were not collected whole`);
  }
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
      summary: countsTable(merged),
      exitCode: 0,
      exitReason: null,
      location: found.location,
    };
  } finally {
    store.close();
  }
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
