// Publishing to Blob Storage: real runs against real Azurite, read back with the real SDK and with SAS links.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobPublisher } from '../src/reports/storage/blob-publisher.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './support/azurite.js';
import { compline, complineAsync } from './support/cli.js';
import { TWO_TENANTS, twoVaultEstate } from './support/store-query.js';

let azurite: Azurite;
let service: BlobServiceClient;
const ENV = { AZURITE_KEY };

beforeAll(async () => {
  azurite = await startAzurite();
  service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  await service.getContainerClient('evidence').create();
}, 30_000);
afterAll(async () => {
  await azurite?.stop();
});

function workspace(blob: string): string {
  const dir = twoVaultEstate('compline-blob-');
  writeFileSync(
    join(dir, 'compline.yaml'),
    `${TWO_TENANTS}signer: { demo: true }
output:
  dir: out
  store: store/compline.duckdb
  blob: ${blob}
`,
  );
  return dir;
}

const keyAuth = (container = 'evidence', extra = '') =>
  `{ account_url: "${azurite.url}", container: ${container}, prefix: compline/, credential: { kind: account_key, account_name: ${AZURITE_ACCOUNT}, key_env: AZURITE_KEY }${extra} }`;

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('output.blob', () => {
  it('publishes every tenant file create-only with its hashes, and lists read-only SAS links that download the pack', async () => {
    const dir = workspace(keyAuth('evidence', ', sas_hours: 24'));
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const runDir = join(dir, 'out', summary.run_id);

    // Every local file is in the container under <prefix><tenant>/<run-id>/, with its SHA-256 and MD5.
    const local = readdirSync(runDir).flatMap((tenant) =>
      readdirSync(join(runDir, tenant)).map((name) => `compline/${tenant}/${summary.run_id}/${name}`),
    );
    const container = service.getContainerClient('evidence');
    const blobs = new Map<string, { sha256?: string; md5?: Uint8Array }>();
    for await (const b of container.listBlobsFlat({ prefix: 'compline/', includeMetadata: true }))
      if (b.name.includes(summary.run_id)) blobs.set(b.name, { sha256: b.metadata?.sha256, md5: b.properties.contentMD5 });
    expect([...blobs.keys()].sort()).toEqual(local.sort());
    for (const [name, meta] of blobs) {
      const [, tenant, , file] = name.split('/');
      const bytes = readFileSync(join(runDir, tenant!, file!));
      expect(meta.sha256).toBe(sha256(bytes));
      expect(Buffer.from(meta.md5!).toString('hex')).toBe(createHash('md5').update(bytes).digest('hex'));
    }

    // A SAS link per file: it downloads the pack byte for byte, refuses a write, and expires within sas_hours.
    const pack = summary.published.find((p: { tenant: string; file: string }) => p.tenant === 'acme' && p.file.endsWith('.zip'));
    const link = new URL(pack.sas_url);
    expect(link.searchParams.get('sp')).toBe('r');
    const expiry = Date.parse(link.searchParams.get('se')!);
    expect(expiry - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(expiry - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    const downloaded = new Uint8Array(await download.arrayBuffer());
    expect(sha256(downloaded)).toBe(sha256(readFileSync(join(runDir, 'acme', pack.file))));
    const write = await fetch(link, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'tampered' });
    expect(write.status).toBe(403);
    // The auditor verifies the downloaded pack against the signer's certificate.
    const saved = join(dir, 'downloaded.zip');
    writeFileSync(saved, downloaded);
    expect(compline(['verify', saved, '--cert', join(dir, 'store', 'demo-signer', 'certificate.pem')]).code).toBe(0);

    // The account key appears in no output.
    expect(r.stdout + r.stderr).not.toContain(AZURITE_KEY);

    // Publishing the same run again overwrites nothing: the first blob is refused and the container is unchanged.
    const before = await container.getBlockBlobClient(`compline/acme/${summary.run_id}/report.json`).getProperties();
    const again = await blobPublisher(
      {
        account_url: azurite.url,
        container: 'evidence',
        prefix: 'compline/',
        credential: { kind: 'account_key', account_name: AZURITE_ACCOUNT, key_env: 'AZURITE_KEY' },
        sas_hours: 0,
      },
      ENV,
      () => {
        throw new Error('no token credential in this test');
      },
    );
    await expect(again.publish(runDir, summary.run_id)).rejects.toThrow(/already exists; published blobs are never overwritten/);
    const after = await container.getBlockBlobClient(`compline/acme/${summary.run_id}/report.json`).getProperties();
    expect(after.etag).toBe(before.etag);
  });

  it('lists no links unless sas_hours asks for them, and says where it published in the text summary', async () => {
    const dir = workspace(keyAuth());
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml')], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/published \d+ files of 3 tenant folders to Blob Storage/);
    expect(r.stdout).not.toContain('sig=');
    expect(r.stdout).toContain(`${azurite.url}/evidence/compline/acme/`);
  });

  it.each([
    [
      'a container that does not exist',
      () => keyAuth('no-such-container'),
      ENV,
      /^compline: output\.blob\.container: no container no-such-container at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\n$/,
    ],
    [
      'an unset key variable',
      () => keyAuth(),
      {},
      /^compline: output\.blob\.credential\.key_env: environment variable AZURITE_KEY is not set\n$/,
    ],
    [
      'a wrong account key',
      () => keyAuth(),
      { AZURITE_KEY: Buffer.from('not the key').toString('base64') },
      /^compline: output\.blob: cannot reach .*: HTTP 403/,
    ],
  ])('%s is exit 2 before any collection, with nothing written', async (_, blob, env, message) => {
    const dir = workspace(blob());
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml')], { env: env as Record<string, string> });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(r.stderr).not.toContain('not the key');
  });

  it('refuses plain http to anything but this machine, and a container name Azure would refuse', () => {
    const dir = workspace('{ account_url: "http://evidence.blob.core.windows.net", container: Evidence_1 }');
    const r = compline(['config', 'validate', join(dir, 'compline.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('output.blob.account_url: expected an https URL (plain http only to localhost)');
    expect(r.stderr).toContain('output.blob.container: expected a container name');
  });
});
