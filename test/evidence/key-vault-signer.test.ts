// Signing with a key in Azure Key Vault: the real KeyClient and CryptographyClient with the real credential, against
// the local HTTPS Azure server playing the vault. Only digests leave the run; packs and PDFs verify with the key's
// certificate; a key that cannot sign stops the run before collection.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unzipFiles } from '../../src/evidence/zip.js';
import { type AzureServer, startAzureServer, TEST_CLIENT, TEST_TENANT } from '../support/azure-server.js';
import { compline, complineAsync } from '../support/cli.js';
import { ecCertificate } from '../support/ec-certificate.js';
import { KEY_VERSION, keyVault, type SignCall, type VaultKey } from '../support/key-vault.js';

const SECRET = 'kv~Secret.77aa19';
const SUB = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** An RSA key and its self-signed certificate (the auditor's trust anchor in these tests). */
function rsaCertificate(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${name}/O=Compline tests`,
      '-days',
      '2',
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

async function workspace(
  keys: (dir: string) => VaultKey[],
  signer: (dir: string, vault: string) => string,
  opts: { echoSecret?: boolean } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'compline-kv-'));
  const signs: SignCall[] = [];
  let base = '';
  server = await startAzureServer({
    ...opts,
    secret: SECRET,
    graph: () => ({ body: { data: [], totalRecords: 0, count: 0 } }),
    arm: keyVault(() => base, keys(dir), signs),
  });
  base = server.url;
  mkdirSync(join(dir, 'estate'));
  writeFileSync(
    join(dir, 'estate', 'page.json'),
    JSON.stringify({
      data: [
        {
          id: `/subscriptions/${SUB}/resourceGroups/rg-acme-prod/providers/Microsoft.KeyVault/vaults/kv-acme`,
          name: 'kv-acme',
          type: 'microsoft.keyvault/vaults',
          location: 'eastus',
          resourceGroup: 'rg-acme-prod',
          subscriptionId: SUB,
          tags: {},
          properties: { enablePurgeProtection: false },
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
azure:
  cloud: { arm_endpoint: "${base}", authority_host: "${base}" }
  credential: { kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: KV_TEST_SECRET }
  subscriptions: [${SUB}]
sources:
  resource_graph: { mode: file, paths: [estate] }
signer: ${signer(dir, base)}
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return { dir, signs, base };
}

const run = (dir: string) =>
  complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], { env: { KV_TEST_SECRET: SECRET } });

describe('signer.key_vault', () => {
  it('signs packs, report.json and report.pdf in the vault: only digests travel, everything verifies with the certificate', async () => {
    const { dir, signs, base } = await workspace(
      (d) => [{ name: 'compline-signing', keyFile: rsaCertificate(d, 'vault').key }],
      (_, vault) =>
        `{ algorithm: PS256, key_vault: { vault_url: "${vault}", key: compline-signing, verify_challenge_resource: false }, certificate_file: vault.pem }`,
    );
    const r = await run(dir);
    expect(r.code, r.stderr).toBe(0);
    const runId = JSON.parse(r.stdout).run_id as string;
    const folder = join(dir, 'out', runId, 'acme');
    const pack = join(folder, readdirSync(folder).find((f) => f.endsWith('.zip'))!);

    // The auditor, with the certificate only: the pack, report.json and report.pdf are genuine.
    const cert = join(dir, 'vault.pem');
    expect(compline(['verify', pack, '--cert', cert]).code).toBe(0);
    expect(compline(['verify', join(folder, 'report.json'), '--cert', cert]).code).toBe(0);
    expect(compline(['verify', join(folder, 'report.pdf'), '--cert', cert]).code).toBe(0);
    expect(execFileSync('pdfsig', [join(folder, 'report.pdf')], { encoding: 'utf8' })).toContain('Signature is Valid.');

    // The manifest names the vault key's versioned id and the chain.
    const manifest = JSON.parse((await unzipFiles(readFileSync(pack))).get('manifest.json')!.toString('utf8'));
    expect(manifest.signer).toMatchObject({
      algorithm: 'PS256',
      key_id: `${base}/keys/compline-signing/${KEY_VERSION}`,
      demo: false,
    });
    expect(manifest.signer.chain).toHaveLength(1);

    // Every request to the vault carried a 32-byte SHA-256 digest, for the pinned version, PS256.
    expect(signs.length).toBeGreaterThanOrEqual(4);
    for (const s of signs)
      expect(s).toEqual({ name: 'compline-signing', version: KEY_VERSION.toLowerCase(), alg: 'PS256', digestBytes: 32 });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it.each([
    [
      'a key the vault does not have',
      (d: string) => [{ name: 'other', keyFile: rsaCertificate(d, 'vault').key }],
      /^compline: signer\.key_vault https:\/\/127\.0\.0\.1:\d+ key compline-signing: cannot read the key \(HTTP 404: KeyNotFound: A key with \(name\/id\) compline-signing was not found in this key vault\.\)\n$/,
    ],
    [
      'a vault whose signatures are not its key’s',
      (d: string) => [
        { name: 'compline-signing', keyFile: rsaCertificate(d, 'vault').key, signWith: rsaCertificate(d, 'other').key },
      ],
      /: the vault's signature does not verify with the key it published\n$/,
    ],
    [
      'a certificate of another key',
      (d: string) => {
        const key = rsaCertificate(d, 'real').key;
        rsaCertificate(d, 'vault');
        return [{ name: 'compline-signing', keyFile: key }];
      },
      /: the certificate does not belong to the key\n$/,
    ],
    [
      'an EC key for PS256',
      (d: string) => [{ name: 'compline-signing', keyFile: ecCertificate(d, 'vault', '/CN=ec').key }],
      /: the key does not fit PS256\n$/,
    ],
    [
      'a disabled key',
      (d: string) => [{ name: 'compline-signing', keyFile: rsaCertificate(d, 'vault').key, enabled: false }],
      /: the key is disabled\n$/,
    ],
  ])('%s is exit 2 before any collection, with nothing written', async (_, keys, message) => {
    const { dir } = await workspace(
      keys,
      (_, vault) =>
        `{ algorithm: PS256, key_vault: { vault_url: "${vault}", key: compline-signing, verify_challenge_resource: false }, certificate_file: vault.pem }`,
    );
    const r = await run(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a refused secret that the token endpoint echoes is exit 2 before any collection, the secret nowhere', async () => {
    const { dir, signs } = await workspace(
      (d) => [{ name: 'compline-signing', keyFile: rsaCertificate(d, 'vault').key }],
      (_, vault) =>
        `{ algorithm: PS256, key_vault: { vault_url: "${vault}", key: compline-signing, verify_challenge_resource: false }, certificate_file: vault.pem }`,
      { echoSecret: true },
    );
    const wrong = 'kv~Wrong.0c3e55';
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
      env: { KV_TEST_SECRET: wrong },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^compline: signer\.key_vault \S+ key compline-signing: cannot read the key \(.*AADSTS7000215/m);
    expect(r.stderr).toContain('[redacted]');
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(signs).toEqual([]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses a vault URL that is not https and a key version that is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-kv-'));
    writeFileSync(
      join(dir, 'compline.yaml'),
      `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
signer: { algorithm: PS256, key_vault: { vault_url: "http://kv.vault.azure.net", key: k, version: latest }, certificate_file: c.pem }
`,
    );
    const r = compline(['config', 'validate', join(dir, 'compline.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('signer.key_vault.vault_url: expected the vault URL, https://<vault>.vault.azure.net');
    expect(r.stderr).toContain('signer.key_vault.version: expected a 32-character key version');
  });
});
