// Where `compline merge` finds the shards' snapshots: the shards' output folder, or the container they published to.
// Either way it ends as one local folder per shard found, `shard-<i>-of-<n>/`, each with shard.json and its Parquet.
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { BlobSettings } from '../reports/storage/blob-publisher.js';
import { SNAPSHOT_FOLDER } from './snapshot.js';

export interface FoundShards {
  /** Shard folder name (`shard-0-of-3`) → its local folder. */
  folders: Map<string, string>;
  /** Where they were looked for, for messages. */
  location: string;
}

/** `<out>/<run-id>/shard-<i>-of-<n>/_shards/shard-<i>-of-<n>/`: only shards that published their run folder. */
export async function shardsInFolder(out: string, runId: string): Promise<FoundShards> {
  const runDir = join(out, runId);
  const folders = new Map<string, string>();
  const entries = await readdir(runDir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory() || !/^shard-\d+-of-\d+$/.test(e.name)) continue;
    folders.set(e.name, join(runDir, e.name, SNAPSHOT_FOLDER, e.name));
  }
  return { folders, location: runDir };
}

/** Downloads `<prefix>_shards/<run-id>/` to a temporary folder. */
export async function shardsInContainer(
  settings: BlobSettings,
  env: NodeJS.ProcessEnv,
  credential: () => TokenCredential,
  runId: string,
): Promise<FoundShards & { temp: string }> {
  const { blobContainer } = await import('../reports/storage/blob-publisher.js');
  const { container, location } = await blobContainer(settings, env, credential);
  const prefix = `${settings.prefix}${SNAPSHOT_FOLDER}/${runId}/`;
  const temp = await mkdtemp(join(tmpdir(), 'compline-merge-'));
  const folders = new Map<string, string>();
  for await (const blob of container.listBlobsFlat({ prefix })) {
    const rest = blob.name.slice(prefix.length);
    const [shard, ...file] = rest.split('/');
    if (!shard || !/^shard-\d+-of-\d+$/.test(shard) || file.length !== 1 || !/^[A-Za-z0-9_.-]+$/.test(file[0]!)) continue;
    const path = join(temp, shard, file[0]!);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await container.getBlockBlobClient(blob.name).downloadToBuffer());
    folders.set(shard, join(temp, shard));
  }
  return { folders, location: `${location}${SNAPSHOT_FOLDER}/${runId}/`, temp };
}
