// Publishing to Blob Storage with a token credential (`credential: { kind: azure }`): real runs against real Azurite
// over HTTPS with OAuth, the `azure` section's client secret exchanged at the local Entra token endpoint. The links
// listed for auditors are signed with the principal's user delegation key, and download with nothing but a plain GET.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureServer, startAzureServer, TEST_CLIENT, TEST_OBJECT_ID, TEST_TENANT } from './support/azure-server.js';
import { testTlsDir } from './support/azure-tls.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './support/azurite.js';
import { complineAsync } from './support/cli.js';
import { ESTATE_SUB, TWO_TENANTS, twoVaultEstate } from './support/store-query.js';

const SECRET = 'planted~Secret.9f8e7d6c5b4a';
const SUB = ESTATE_SUB;

let azurite: Azurite;
/** What the first run published, for the test that fetches its links. */
let links: { published: { tenant: string; file: string; sas_url: string }[]; runDir: string; runId: string } | undefined;
let service: BlobServiceClient;
const servers: AzureServer[] = [];

beforeAll(async () => {
  azurite = await startAzurite({ oauth: true });
  // The test itself reads the container with the account key: what the run published, not what it says it did.
  service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  await service.getContainerClient('evidence').create();
}, 30_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await azurite?.stop();
});

/** A local Entra token endpoint; the estate comes from files, so Resource Graph is never asked. */
async function entra(storageAudience?: string): Promise<AzureServer> {
  const server = await startAzureServer({
    secret: SECRET,
    echoSecret: true,
    graph: () => ({ status: 500, body: { error: { code: 'NotExpected' } } }),
    ...(storageAudience ? { storageAudience } : {}),
  });
  servers.push(server);
  return server;
}

function workspace(tokenServer: AzureServer, accountUrl = azurite.url): string {
  const dir = twoVaultEstate('compline-blob-oauth-');
  writeFileSync(
    join(dir, 'compline.yaml'),
    `${TWO_TENANTS}azure:
  cloud: { arm_endpoint: "${tokenServer.url}", authority_host: "${tokenServer.url}" }
  credential: { kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: COMPLINE_TEST_SECRET }
  subscriptions: [${SUB}]
signer: { demo: true }
output:
  dir: out
  store: store/compline.duckdb
  blob: { account_url: "${accountUrl}", container: evidence, prefix: compline/, credential: { kind: azure }, sas_hours: 1 }
`,
  );
  return dir;
}

const run = (dir: string, secret = SECRET) =>
  complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
    env: { COMPLINE_TEST_SECRET: secret },
  });

/**
 * Azure Storage in front of Azurite for a principal with Storage Blob Data Contributor but not Storage Blob Delegator:
 * every request is passed on, except Get User Delegation Key, refused as Azure refuses it.
 */
async function withoutDelegator(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const tls = testTlsDir();
  const server = createServer(
    { cert: readFileSync(join(tls, 'server.pem')), key: readFileSync(join(tls, 'server.key')) },
    async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method === 'POST' && new URL(req.url ?? '/', 'https://x').searchParams.get('comp') === 'userdelegationkey') {
        res.writeHead(403, { 'content-type': 'application/xml', 'x-ms-error-code': 'AuthorizationPermissionMismatch' });
        res.end(
          '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request ' +
            'is not authorized to perform this operation using this permission.\nRequestId:0\nTime:2026-12-05T00:00:00Z</Message></Error>',
        );
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection') as [string, string][],
      );
      const answer = await fetch(`${new URL(target).origin}${req.url}`, {
        method: req.method,
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function blobNames(prefix = 'compline/'): Promise<string[]> {
  const names: string[] = [];
  for await (const b of service.getContainerClient('evidence').listBlobsFlat({ prefix })) names.push(b.name);
  return names.sort();
}

describe('output.blob with a token credential', () => {
  it('publishes every file with the azure credential and lists read-only links signed with its user delegation key', async () => {
    const tokens = await entra();
    const dir = workspace(tokens);
    const r = await run(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout) as {
      run_id: string;
      published: { tenant: string; file: string; sha256: string; sas_url: string }[];
    };
    const runDir = join(dir, 'out', summary.run_id);

    // Every local file is in the container under <prefix><tenant>/<run-id>/, and listed once in the summary.
    const local = readdirSync(runDir)
      .flatMap((tenant) => readdirSync(join(runDir, tenant)).map((name) => `compline/${tenant}/${summary.run_id}/${name}`))
      .sort();
    expect(local.length).toBeGreaterThan(6);
    expect(await blobNames(`compline/`)).toEqual(local);
    expect(summary.published.map((p) => `compline/${p.tenant}/${summary.run_id}/${p.file}`).sort()).toEqual(local);

    const delegator = new BlobServiceClient(
      azurite.url,
      new ClientSecretCredential(TEST_TENANT, TEST_CLIENT, SECRET, { authorityHost: tokens.url, disableInstanceDiscovery: true }),
    );
    for (const p of summary.published) {
      const bytes = readFileSync(join(runDir, p.tenant, p.file));
      expect(p.sha256).toBe(sha256(bytes));
      // A read-only, HTTPS-only link signed with a user delegation key of the run's service principal, for an hour.
      const link = new URL(p.sas_url);
      expect(`${link.origin}${link.pathname}`).toBe(`${azurite.url}/evidence/compline/${p.tenant}/${summary.run_id}/${p.file}`);
      const q = link.searchParams;
      expect([q.get('sp'), q.get('sr'), q.get('spr'), q.get('sks')]).toEqual(['r', 'b', 'https', 'b']);
      expect([q.get('skoid'), q.get('sktid')]).toEqual([TEST_OBJECT_ID, TEST_TENANT]);
      expect(q.get('skv')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(q.get('sig')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      const expiry = Date.parse(q.get('se')!);
      expect(expiry - Date.now()).toBeGreaterThan(50 * 60_000);
      expect(expiry - Date.now()).toBeLessThanOrEqual(3_600_000);
      // The delegation key lives exactly as long as the links it signs.
      expect(Date.parse(q.get('ske')!)).toBe(expiry);
      expect(Date.parse(q.get('skt')!)).toBe(Date.parse(q.get('st')!));

      // Signed with the key Azure Storage delegates to that principal for that window: the same signature again.
      const key = await delegator.getUserDelegationKey(new Date(q.get('skt')!), new Date(q.get('ske')!));
      const again = generateBlobSASQueryParameters(
        {
          containerName: 'evidence',
          blobName: `compline/${p.tenant}/${summary.run_id}/${p.file}`,
          permissions: BlobSASPermissions.parse('r'),
          startsOn: new Date(q.get('st')!),
          expiresOn: new Date(q.get('se')!),
          protocol: SASProtocol.Https,
          version: q.get('sv')!,
        },
        key,
        AZURITE_ACCOUNT,
      );
      expect(again.signature).toBe(q.get('sig'));
    }
    links = { published: summary.published, runDir, runId: summary.run_id };

    // The secret appears in no output.
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  // Azurite 3.37 or later: older ones check a user delegation SAS in the 2025-07-05 layout whatever its `sv`, and refuse
  // the SDK's sv=2026-04-06 links with 403 AuthorizationFailure.
  it('each link downloads the exact bytes with a plain GET; on another blob it is refused', async () => {
    expect(links).toBeDefined();
    const { published, runDir, runId } = links!;
    for (const p of published) {
      const download = await fetch(p.sas_url);
      expect(download.status, `${p.tenant}/${p.file}`).toBe(200);
      expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(readFileSync(join(runDir, p.tenant, p.file))));
    }
    const pack = published.find((p) => p.tenant === 'acme' && p.file.endsWith('.zip'))!;
    expect(
      (await fetch(`${azurite.url}/evidence/compline/acme/${runId}/report.json?${new URL(pack.sas_url).search.slice(1)}`)).status,
    ).toBe(403);
    const write = await fetch(pack.sas_url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'tampered' });
    expect(write.status).toBe(403);
  });

  it('a token Azure Storage refuses (another audience) is exit 2 before any collection, naming the container, with nothing written or published', async () => {
    const before = await blobNames();
    const tokens = await entra('https://management.azure.com');
    const dir = workspace(tokens);
    const r = await run(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^compline: output\.blob: cannot reach https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/evidence\/compline\/: HTTP 403 AuthenticationFailed: [^\n]*\n$/,
    );
    expect(tokens.tokenRequests).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(await blobNames()).toEqual(before);
    expect(r.stderr).not.toContain(SECRET);
  });

  it('a principal that may not delegate (no Storage Blob Delegator) is exit 2 before any collection, naming the role', async () => {
    const before = await blobNames();
    const storage = await withoutDelegator(azurite.url);
    try {
      const dir = workspace(await entra(), storage.url);
      const r = await run(dir);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `compline: output.blob.sas_hours: no user delegation key from ${storage.url} to sign the links: HTTP 403 ` +
          'AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission. ' +
          '→ grant Storage Blob Delegator on the account\n',
      );
      expect(existsSync(join(dir, 'out'))).toBe(false);
      expect(await blobNames()).toEqual(before);
    } finally {
      await storage.close();
    }
  });

  it('doctor proves the right to sign links, and names Storage Blob Delegator where it is missing', async () => {
    const doctor = (dir: string) =>
      complineAsync(['doctor', '--config', join(dir, 'compline.yaml')], { env: { COMPLINE_TEST_SECRET: SECRET } });
    const token = await entra();
    const ok = await doctor(workspace(token));
    expect(ok.stdout).toMatch(/^ok {4}output\.blob links:evidence +a user delegation key to sign the links \(sas_hours 1\)$/m);
    const storage = await withoutDelegator(azurite.url);
    try {
      const r = await doctor(workspace(token, storage.url));
      expect(r.code).toBe(4);
      const lines = r.stdout.split('\n');
      const at = lines.findIndex((l) => l.includes(' output.blob links:evidence '));
      expect(lines[at]).toMatch(/^FAIL .*HTTP 403 AuthorizationPermissionMismatch/);
      expect(lines[at + 1]).toBe(`      → grant Storage Blob Delegator on the account ${storage.url}`);
      expect(lines.find((l) => l.includes(' output.blob container:evidence '))).toMatch(/^ok .*writable/);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    } finally {
      await storage.close();
    }
  });

  it('a secret the token endpoint refuses is exit 2 before any collection, without the secret it echoed', async () => {
    const before = await blobNames();
    const dir = workspace(await entra());
    const r = await run(dir, 'wrong~Secret.000');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^compline: output\.blob: cannot reach https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/evidence\/compline\/: /,
    );
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).not.toContain('wrong~Secret.000');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(await blobNames()).toEqual(before);
  });
});
