// Publishing a run's reports and evidence packs to an Azure Blob container, one prefix per tenant:
// `<prefix><tenant>/<run-id>/<file>`. Nothing is ever overwritten (create-only uploads) and every blob carries its
// hashes; auditors may get read-only links that expire.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from '@azure/storage-blob';
import pLimit from 'p-limit';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { TOOL_VERSION } from '../../version.js';

export type BlobSettings = NonNullable<Config['output']['blob']>;

export interface UploadedFile {
  tenant: string;
  name: string;
  url: string;
  /** A read-only link that expires (`sas_hours`), for auditors; absent when no links were asked for. */
  sas_url?: string;
  sha256: string;
  size: number;
}

export interface BlobPublisher {
  /** The container as `<account url>/<container>/<prefix>`, for messages. */
  readonly location: string;
  /** Uploads every file of a published run folder; evidence packs go last in each tenant's folder. */
  publish(runDir: string, runId: string): Promise<UploadedFile[]>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jws': 'application/jose',
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
};

const contentType = (name: string) => CONTENT_TYPES[/\.[^.]+$/.exec(name)?.[0] ?? ''] ?? 'application/octet-stream';

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

/** Returns the text with every secret the credential knows replaced (a token endpoint may echo a client secret). */
export type Redact = (text: string) => string;

const keepAll: Redact = (text) => text;

/** One line from a storage error, without request ids, URLs, signatures or secrets. */
function storageFailure(e: unknown, redact: Redact): string {
  const err = e as { statusCode?: number; code?: string; message?: string };
  if (err.code === 'BlobAlreadyExists' || err.statusCode === 409) return 'already exists; published blobs are never overwritten';
  const first = redact((err.message ?? String(e)).split('\n')[0]!).replace(/https?:\/\/\S+/g, '<url>');
  return err.statusCode ? `HTTP ${err.statusCode} ${err.code ?? ''}: ${first}`.replace(/\s+:/, ':') : first;
}

/**
 * Connects and checks that the container exists and the credential can reach it, before any collection: a run whose
 * evidence could not be published is refused at the start (exit 2), not discovered at the end.
 */
export async function blobPublisher(
  settings: BlobSettings,
  env: NodeJS.ProcessEnv,
  azureCredential: () => TokenCredential,
  redact: Redact = keepAll,
): Promise<BlobPublisher> {
  const { container, location, service, sharedKey } = await blobContainer(settings, env, azureCredential, redact);
  const account = new URL(settings.account_url);
  const sasProtocol = account.protocol === 'http:' && isLoopback(account) ? SASProtocol.HttpsAndHttp : SASProtocol.Https;
  // Links signed by a token credential need a user delegation key, a right of its own (Storage Blob Delegator):
  // asked for once now, so a run whose links could not be signed stops here too.
  if (settings.sas_hours > 0 && !sharedKey) {
    try {
      await service.getUserDelegationKey(new Date(Date.now() - 5 * 60_000), new Date(Date.now() + 5 * 60_000), {
        abortSignal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      const grant = (e as { statusCode?: number }).statusCode === 403 ? ' → grant Storage Blob Delegator on the account' : '';
      throw new UsageError(
        `output.blob.sas_hours: no user delegation key from ${settings.account_url} to sign the links: ${storageFailure(e, redact)}${grant}`,
      );
    }
  }
  return {
    location,
    publish: (runDir, runId) => publish(settings, container, runDir, runId, { service, sharedKey, sasProtocol }, redact),
  };
}

/** The configured container, checked to exist and be reachable with the configured credential. */
export async function blobContainer(
  settings: BlobSettings,
  env: NodeJS.ProcessEnv,
  azureCredential: () => TokenCredential,
  redact: Redact = keepAll,
): Promise<{
  container: ContainerClient;
  location: string;
  service: BlobServiceClient;
  sharedKey: StorageSharedKeyCredential | null;
}> {
  let service: BlobServiceClient;
  let sharedKey: StorageSharedKeyCredential | null = null;
  const options = { userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` }, retryOptions: { maxTries: 4 } };
  if (settings.credential.kind === 'account_key') {
    const key = env[settings.credential.key_env];
    if (!key)
      throw new UsageError(`output.blob.credential.key_env: environment variable ${settings.credential.key_env} is not set`);
    try {
      sharedKey = new StorageSharedKeyCredential(settings.credential.account_name, key);
    } catch {
      throw new UsageError(`output.blob.credential.key_env: ${settings.credential.key_env} does not hold a storage account key`);
    }
    service = new BlobServiceClient(settings.account_url, sharedKey, options);
  } else {
    service = new BlobServiceClient(settings.account_url, azureCredential(), options);
  }
  const container = service.getContainerClient(settings.container);
  const location = `${settings.account_url.replace(/\/+$/, '')}/${settings.container}/${settings.prefix}`;
  try {
    const exists = await container.exists({ abortSignal: AbortSignal.timeout(30_000) });
    if (!exists) throw new UsageError(`output.blob.container: no container ${settings.container} at ${settings.account_url}`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`output.blob: cannot reach ${location}: ${storageFailure(e, redact)}`);
  }
  return { container, location, service, sharedKey };
}

async function publish(
  settings: BlobSettings,
  container: ContainerClient,
  runDir: string,
  runId: string,
  auth: { service: BlobServiceClient; sharedKey: StorageSharedKeyCredential | null; sasProtocol: SASProtocol },
  redact: Redact,
): Promise<UploadedFile[]> {
  const uploaded: UploadedFile[] = [];
  const limit = pLimit(4);
  const tenants = (await readdir(runDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  let delegation: UserDelegationKey | null = null;
  const startsOn = new Date(Date.now() - 5 * 60_000);
  const expiresOn = new Date(Date.now() + settings.sas_hours * 3_600_000);
  if (settings.sas_hours > 0 && !auth.sharedKey) {
    try {
      delegation = await auth.service.getUserDelegationKey(startsOn, expiresOn);
    } catch (e) {
      throw new Error(`no user delegation key to sign the links: ${storageFailure(e, redact)}`);
    }
  }
  const sas = (blobName: string): string | undefined => {
    if (settings.sas_hours <= 0) return undefined;
    const values = {
      containerName: settings.container,
      blobName,
      permissions: BlobSASPermissions.parse('r'),
      startsOn,
      expiresOn,
      protocol: auth.sasProtocol,
    };
    const query = auth.sharedKey
      ? generateBlobSASQueryParameters(values, auth.sharedKey)
      : generateBlobSASQueryParameters(values, delegation!, auth.service.accountName);
    return `${container.getBlockBlobClient(blobName).url}?${query.toString()}`;
  };
  await Promise.all(
    tenants.map((tenant) =>
      limit(async () => {
        const names = (await readdir(join(runDir, tenant), { recursive: true, withFileTypes: true }))
          .filter((d) => d.isFile())
          .map((d) => join(d.parentPath, d.name).slice(join(runDir, tenant).length + 1))
          // The pack, which names every other file, goes last: a pack in the container means its tenant's upload finished.
          .sort((a, b) => Number(a.endsWith('.zip')) - Number(b.endsWith('.zip')) || (a < b ? -1 : 1));
        for (const name of names) {
          const data = await readFile(join(runDir, tenant, name));
          const blobName = `${settings.prefix}${tenant}/${runId}/${name}`;
          const blob = container.getBlockBlobClient(blobName);
          const sha256 = createHash('sha256').update(data).digest('hex');
          try {
            await blob.upload(data, data.length, {
              conditions: { ifNoneMatch: '*' },
              blobHTTPHeaders: { blobContentType: contentType(name), blobContentMD5: createHash('md5').update(data).digest() },
              metadata: { sha256, run: runId, tenant },
            });
          } catch (e) {
            throw new Error(`${blobName}: ${storageFailure(e, redact)}`);
          }
          const link = sas(blobName);
          uploaded.push({ tenant, name, url: blob.url, sha256, size: data.length, ...(link ? { sas_url: link } : {}) });
        }
      }),
    ),
  );
  return uploaded.sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.name < b.name ? -1 : 1));
}

/** The azure section's credential, or DefaultAzureCredential (workload identity in the CronJob). */
export const defaultCredential = (): TokenCredential => new DefaultAzureCredential();
