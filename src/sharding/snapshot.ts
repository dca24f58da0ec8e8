// A shard's record of its run, for `compline merge`: the run's tables as Parquet and `shard.json`, which names the
// shard, its status, the tenants it reported and every file with its SHA-256, so a merge can tell a whole shard
// from a partial one; with a signer, `shard.json.jws` (a detached JWS, as manifest.jws is over a pack's manifest)
// makes it tamper-evident. It travels with the reports (`<run-dir>/_shards/shard-<i>-of-<n>/`), to the folder and
// the container alike.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, LoadedConfig } from '../config.js';
import type { Signer } from '../evidence/signer.js';
import type { OutputWriter } from '../reports/output-writer.js';
import type { RunMeta } from '../reports/tenant-report.js';
import type { Store } from '../store.js';
import { TOOL_VERSION } from '../version.js';
import { type Shard, shardName } from './shard.js';
import type { StrayRows } from './shard-rows.js';

/** The writer's folder (a pseudo-tenant) that carries the shards' snapshots. */
export const SNAPSHOT_FOLDER = '_shards';
export const SHARD_MANIFEST = 'shard.json';
export const SHARD_SIGNATURE = 'shard.json.jws';

export interface ShardManifest {
  schema: 'compline.shard/v1';
  run_id: string;
  shard: Shard;
  status: RunMeta['status'];
  tool_version: string;
  config_sha256: string;
  /** Every configured tenant, in the config's order, and `_platform` last: the merge's table follows it. */
  tenants: string[];
  /** The reports this shard published. */
  reported: string[];
  /** Snapshot file → SHA-256. */
  files: Record<string, string>;
  /** Rows of other shards' tenants found in scopes their shards do not collect (see strayRows). */
  strays: StrayRows[];
}

export async function writeShardSnapshot(input: {
  store: Store;
  writer: OutputWriter;
  signer: Signer | null;
  runId: string;
  shard: Shard;
  status: RunMeta['status'];
  config: Config;
  loaded: Pick<LoadedConfig, 'sha256'>;
  reports: ReadonlyMap<string, unknown>;
  strays: StrayRows[];
}): Promise<void> {
  const { store, writer, runId, shard } = input;
  const folder = shardName(shard);
  const temp = await mkdtemp(join(tmpdir(), 'compline-shard-'));
  try {
    await store.exportRunParquet(runId, temp);
    const files: Record<string, string> = {};
    for (const name of (await readdir(temp)).sort()) {
      const data = await readFile(join(temp, name));
      files[name] = createHash('sha256').update(data).digest('hex');
      await writer.write(SNAPSHOT_FOLDER, `${folder}/${name}`, data);
    }
    const manifest: ShardManifest = {
      schema: 'compline.shard/v1',
      run_id: runId,
      shard,
      status: input.status,
      tool_version: TOOL_VERSION,
      config_sha256: input.loaded.sha256,
      tenants: [...input.config.tenants.map((t) => t.id), '_platform'],
      reported: [...input.reports.keys()],
      files,
      strays: input.strays,
    };
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await writer.write(SNAPSHOT_FOLDER, `${folder}/${SHARD_MANIFEST}`, bytes);
    if (input.signer)
      await writer.write(SNAPSHOT_FOLDER, `${folder}/${SHARD_SIGNATURE}`, `${await input.signer.signDetached(bytes)}\n`);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
