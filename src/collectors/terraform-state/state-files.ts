// Where state files are listed and read from: a folder (keys are paths below it) or Blob containers.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { UsageError } from '../../errors.js';
import { TOOL_VERSION } from '../../version.js';

export interface StateFile {
  /** `<key>` in a folder, `<container>/<key>` in Blob Storage: the source status scope names it. */
  label: string;
  key: string;
  lastModified: string | null;
  size: number;
  read(signal?: AbortSignal): Promise<Buffer>;
}

export interface StateStore {
  /** The storage account holding the files, when known. */
  readonly account: string | null;
  /** Checks the store can be read at all, before any collection. */
  prepare(signal?: AbortSignal): Promise<void>;
  /** Every file; a listing that fails throws. */
  list(signal?: AbortSignal): AsyncIterable<StateFile>;
}

export function folderStore(root: string, account: string | null): StateStore {
  async function* walk(dir: string): AsyncIterable<StateFile> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) yield* walk(path);
      else if (e.isFile()) {
        const info = await stat(path);
        const key = relative(root, path).split(sep).join('/');
        yield { label: key, key, lastModified: info.mtime.toISOString(), size: info.size, read: () => readFile(path) };
      }
    }
  }
  return {
    account,
    async prepare() {
      const info = await stat(root).catch(() => null);
      if (!info?.isDirectory()) throw new UsageError(`sources.terraform.path: no folder ${root}`);
    },
    list: () => walk(root),
  };
}

export interface BlobStoreSettings {
  account_url: string;
  containers: readonly string[];
  credential: { kind: 'azure' } | { kind: 'account_key'; account_name: string; key_env: string };
}

export function blobStore(
  settings: BlobStoreSettings,
  env: NodeJS.ProcessEnv,
  azureCredential: () => TokenCredential,
): StateStore {
  const options = { userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` }, retryOptions: { maxTries: 4 } };
  let service: BlobServiceClient | null = null;
  const url = new URL(settings.account_url);
  const account =
    settings.credential.kind === 'account_key' ? settings.credential.account_name : (url.hostname.split('.')[0] ?? null);
  const connect = (): BlobServiceClient => {
    if (service) return service;
    if (settings.credential.kind === 'account_key') {
      const key = env[settings.credential.key_env];
      if (!key)
        throw new UsageError(
          `sources.terraform.credential.key_env: environment variable ${settings.credential.key_env} is not set`,
        );
      let shared: StorageSharedKeyCredential;
      try {
        shared = new StorageSharedKeyCredential(settings.credential.account_name, key);
      } catch {
        throw new UsageError(
          `sources.terraform.credential.key_env: ${settings.credential.key_env} does not hold a storage account key`,
        );
      }
      service = new BlobServiceClient(settings.account_url, shared, options);
    } else service = new BlobServiceClient(settings.account_url, azureCredential(), options);
    return service;
  };
  return {
    account,
    async prepare(signal) {
      const client = connect();
      for (const name of settings.containers) {
        let exists: boolean;
        try {
          exists = await client.getContainerClient(name).exists({ abortSignal: signal ?? AbortSignal.timeout(30_000) });
        } catch (e) {
          const err = e as { statusCode?: number; code?: string; message?: string };
          const why = err.statusCode
            ? `HTTP ${err.statusCode} ${err.code ?? ''}`.trim()
            : (err.message ?? 'error').split('\n')[0];
          throw new UsageError(`sources.terraform: cannot reach container ${name} at ${settings.account_url}: ${why}`);
        }
        if (!exists) throw new UsageError(`sources.terraform.containers: no container ${name} at ${settings.account_url}`);
      }
    },
    async *list(signal) {
      const client = connect();
      for (const name of settings.containers) {
        const container = client.getContainerClient(name);
        for await (const blob of container.listBlobsFlat({ abortSignal: signal })) {
          const blobClient = container.getBlobClient(blob.name);
          yield {
            label: `${name}/${blob.name}`,
            key: blob.name,
            lastModified: blob.properties.lastModified?.toISOString() ?? null,
            size: blob.properties.contentLength ?? 0,
            read: (s?: AbortSignal) => blobClient.downloadToBuffer(0, undefined, { abortSignal: s, concurrency: 2 }),
          };
        }
      }
    },
  };
}
