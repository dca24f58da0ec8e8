// sources.cost mode blob: every export in a container (Cost Management writes its exports there), each downloaded to
// a temporary file that DuckDB reads, then removed; each held to its export run's manifest.json where one lists it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { UsageError } from '../../errors.js';
import { TOOL_VERSION } from '../../version.js';
import type { Collector, CollectorEvent } from '../collector.js';
import type { CostSource } from './config.js';
import { type ExportManifest, expectedRows, MANIFEST_NAME, missingParts, parseManifest } from './export-manifest.js';
import { EXPORT_NAME } from './file-source.js';

type BlobSettings = Extract<CostSource, { mode: 'blob' }>;

export class CostBlobSource implements Collector {
  readonly source = 'cost';
  private client: BlobServiceClient | null = null;

  constructor(
    private readonly settings: BlobSettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly azureCredential: () => TokenCredential,
  ) {}

  private connect(): BlobServiceClient {
    if (this.client) return this.client;
    const { credential, account_url } = this.settings;
    const options = { userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` }, retryOptions: { maxTries: 4 } };
    if (credential.kind === 'account_key') {
      const key = this.env[credential.key_env];
      if (!key) throw new UsageError(`sources.cost.credential.key_env: environment variable ${credential.key_env} is not set`);
      let shared: StorageSharedKeyCredential;
      try {
        shared = new StorageSharedKeyCredential(credential.account_name, key);
      } catch {
        throw new UsageError(`sources.cost.credential.key_env: ${credential.key_env} does not hold a storage account key`);
      }
      this.client = new BlobServiceClient(account_url, shared, options);
    } else this.client = new BlobServiceClient(account_url, this.azureCredential(), options);
    return this.client;
  }

  /** A container that is missing or out of reach is a config problem, found before any collection. */
  async prepare(signal?: AbortSignal): Promise<void> {
    const { container, account_url } = this.settings;
    let exists: boolean;
    try {
      exists = await this.connect()
        .getContainerClient(container)
        .exists({ abortSignal: signal ?? AbortSignal.timeout(30_000) });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const err = e as { statusCode?: number; code?: string; message?: string };
      const why = err.statusCode ? `HTTP ${err.statusCode} ${err.code ?? ''}`.trim() : (err.message ?? 'error').split('\n')[0];
      throw new UsageError(`sources.cost: cannot reach container ${container} at ${account_url}: ${why}`);
    }
    if (!exists) throw new UsageError(`sources.cost.container: no container ${container} at ${account_url}`);
  }

  async *collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const { container, prefix, currency } = this.settings;
    const client = this.connect().getContainerClient(container);
    const dir = await mkdtemp(join(tmpdir(), 'compline-cost-'));
    try {
      // Names first: a run's manifest must be read before its parts are.
      const names: string[] = [];
      for await (const blob of client.listBlobsFlat({ prefix: prefix || undefined, abortSignal: signal })) names.push(blob.name);
      const folder = (name: string) => name.slice(0, name.lastIndexOf('/') + 1);
      const exports = names.filter((n) => EXPORT_NAME.test(n));
      const manifests = new Map<string, ExportManifest>();
      for (const name of names.filter((n) => basename(n) === MANIFEST_NAME)) {
        const label = `${container}/${name}`;
        let parsed: ExportManifest | { problem: string };
        try {
          const text = (await client.getBlobClient(name).downloadToBuffer(0, undefined, { abortSignal: signal })).toString(
            'utf8',
          );
          parsed = parseManifest(text, label);
        } catch (e) {
          parsed = { problem: `${label}: not downloaded (${httpWhy(e)})` };
        }
        if ('problem' in parsed) {
          yield {
            kind: 'status',
            status: { source: this.source, scope: `file:${label}`, status: 'failed', error: parsed.problem, rows: 0 },
          };
          continue;
        }
        manifests.set(folder(name), parsed);
        for (const status of missingParts(
          parsed,
          exports.filter((n) => folder(n) === folder(name)),
          (part) => `file:${container}/${folder(name)}${part}`,
        ))
          yield { kind: 'status', status };
      }
      let found = 0;
      for (const name of exports) {
        found++;
        const label = `${container}/${name}`;
        const path = join(dir, `${found}-${basename(name)}`);
        try {
          await client.getBlobClient(name).downloadToFile(path, 0, undefined, { abortSignal: signal });
        } catch (e) {
          yield {
            kind: 'status',
            status: {
              source: this.source,
              scope: `file:${label}`,
              status: 'failed',
              error: `${label}: not downloaded (${httpWhy(e)})`,
              rows: 0,
            },
          };
          continue;
        }
        // The run reads the file before asking for the next event; then it goes.
        yield {
          kind: 'cost-export',
          file: { path, label, currency, manifest: expectedRows(manifests.get(folder(name)), name) },
        };
        await rm(path, { force: true });
      }
      if (!found)
        yield {
          kind: 'status',
          status: {
            source: this.source,
            scope: `container:${container}/${prefix}`,
            status: 'failed',
            error: `no cost exports (.csv, .csv.gz, .parquet) under ${container}/${prefix}`,
            rows: 0,
          },
        };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function httpWhy(e: unknown): string {
  const err = e as { statusCode?: number; message?: string };
  return err.statusCode ? `HTTP ${err.statusCode}` : (err.message ?? 'error').split('\n')[0]!;
}
