// `compline doctor` against the local services with the real SDK clients: the Azure server (Entra, Resource Graph,
// Policy Insights, Key Vault), the Kubernetes API server and Azurite, each broken on purpose in one way. Every failure
// is named with what to grant or fix, and the exit code says something is wrong.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUB_A, SUB_B } from './support/azure-estate.js';
import { type AzureServer, startAzureServer, TEST_CLIENT, TEST_TENANT } from './support/azure-server.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './support/azurite.js';
import { complineAsync } from './support/cli.js';
import { demoClusters } from './support/demo-kube.js';
import { keyVault } from './support/key-vault.js';
import { type KubeServer, startKubeServer } from './support/kube-server.js';

const SECRET = 'doctor~Secret.5c4b3a';
let azure: AzureServer;
let kube: KubeServer;
let azurite: Azurite;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'compline-doctor-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'vault.key'), '-out', join(dir, 'vault.pem')].concat([
      '-subj',
      '/CN=vault/O=Compline tests',
      '-days',
      '2',
    ]),
    { stdio: 'ignore' },
  );
  let base = '';
  const vault = keyVault(() => base, [{ name: 'signing', keyFile: join(dir, 'vault.key') }], []);
  azure = await startAzureServer({
    secret: SECRET,
    // The identity may read SUB_A but holds no role on SUB_B.
    graph: (c) =>
      c.subscriptions.includes(SUB_B)
        ? { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization' } } }
        : { body: { data: [], totalRecords: 0, count: 0, resultTruncated: 'false' } },
    arm: (call) => {
      if (call.path.includes('/providers/microsoft.policyinsights/policystates/'))
        return call.path.includes(SUB_A)
          ? { body: { value: [] } }
          : { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no access to policy states' } } };
      // The key can be read but not used to sign: Key Vault Reader without Crypto User.
      if (call.path.endsWith('/sign'))
        return { status: 403, body: { error: { code: 'Forbidden', message: 'Caller is not authorized to perform action' } } };
      return vault(call);
    },
  });
  base = azure.url;
  kube = await startKubeServer({
    clusters: demoClusters(),
    // `view` alone: cluster-scoped RBAC kinds are refused.
    fault: (c) => (['ClusterRole', 'ClusterRoleBinding'].includes(c.kind) ? { status: 403, reason: 'Forbidden' } : undefined),
  });
  writeFileSync(
    join(dir, 'kubeconfig'),
    kube.kubeconfig({ extra: [{ name: 'aks-unreachable', server: 'https://127.0.0.1:1' }] }),
  );
  azurite = await startAzurite();
  const service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  await service.getContainerClient('tfstate').create();
  await service.getContainerClient('evidence').create();
}, 60_000);
afterAll(async () => {
  await Promise.all([azure?.close(), kube?.close(), azurite?.stop()]);
});

function config(name: string, opts: { container?: string; contexts?: string } = {}): string {
  const file = join(dir, `${name}.yaml`);
  const key = `{ kind: account_key, account_name: ${AZURITE_ACCOUNT}, key_env: AZURITE_KEY }`;
  writeFileSync(
    file,
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_A}] }
azure:
  cloud: { arm_endpoint: "${azure.url}", authority_host: "${azure.url}", verify_key_vault_challenge: false }
  credential: { kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: DOCTOR_SECRET }
  subscriptions: [${SUB_A}, ${SUB_B}]
sources:
  resource_graph: { mode: live }
  policy: { mode: live }
  kubernetes: { mode: live, kubeconfig: kubeconfig, contexts: [${opts.contexts ?? 'aks-bank-alpha-prod, aks-unreachable'}], request_timeout_seconds: 2 }
  terraform: { mode: blob, account_url: "${azurite.url}", containers: [tfstate], keys: ["{tenant}/{env}.tfstate"], credential: ${key} }
signer: { algorithm: PS256, key_vault: { vault_url: "${azure.url}", key: signing, verify_challenge_resource: false }, certificate_file: vault.pem }
output:
  dir: out-${name}
  store: store-${name}/compline.duckdb
  blob: { account_url: "${azurite.url}", container: ${opts.container ?? 'evidence'}, prefix: compline/, credential: ${key} }
`,
  );
  return file;
}

const doctor = (file: string, secret = SECRET) =>
  complineAsync(['doctor', '--config', file], { env: { DOCTOR_SECRET: secret, AZURITE_KEY } });

describe('compline doctor', () => {
  it('names each missing role, unreachable cluster and missing container, and exits 4', async () => {
    const r = await doctor(config('broken', { container: 'no-such-container' }));
    expect(r.code, r.stderr).toBe(4);
    const lines = r.stdout.split('\n');
    const line = (target: string) => lines.find((l) => l.includes(` ${target} `)) ?? `(no line for ${target})`;
    const remedy = (target: string) => lines[lines.indexOf(line(target)) + 1] ?? '';
    expect(line('azure credential')).toMatch(/^ok /);
    expect(line(`resource-graph subscription:${SUB_A}`)).toMatch(/^ok /);
    expect(line(`resource-graph subscription:${SUB_B}`)).toMatch(/^FAIL .*HTTP 403 AuthorizationFailed/);
    expect(remedy(`resource-graph subscription:${SUB_B}`)).toBe(`      → grant Reader on subscription ${SUB_B}`);
    expect(line(`policy subscription:${SUB_A}`)).toMatch(/^ok /);
    expect(remedy(`policy subscription:${SUB_B}`)).toMatch(new RegExp(`→ grant Reader on subscription ${SUB_B}`));
    expect(line('kubernetes cluster:aks-bank-alpha-prod')).toMatch(/^FAIL .*HTTP 403 listing ClusterRole, ClusterRoleBinding$/);
    expect(remedy('kubernetes cluster:aks-bank-alpha-prod')).toMatch(
      /→ grant the ClusterRole view and compline-reader .* list ClusterRole, ClusterRoleBinding$/,
    );
    expect(line('kubernetes cluster:aks-unreachable')).toMatch(/^FAIL .*connection failed/);
    expect(remedy('kubernetes cluster:aks-unreachable')).toMatch(/→ cluster aks-unreachable did not answer/);
    expect(line('terraform container:tfstate')).toMatch(/^ok .*listable/);
    expect(line('output.blob container:no-such-container')).toMatch(/^FAIL .*no container no-such-container/);
    expect(remedy('output.blob container:no-such-container')).toMatch(/→ nothing at container no-such-container/);
    expect(line('signer key:signing')).toMatch(/^FAIL .*HTTP 403/);
    expect(remedy('signer key:signing')).toMatch(/→ grant Key Vault Crypto User on key signing of https:\/\/127\.0\.0\.1:\d+$/);
    expect(line('output.dir and output.store')).toMatch(/^ok /);
    expect(r.stdout).toMatch(/\n6 of 11 checks failed\n$/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 60_000);

  it('says the credential itself is refused, once, instead of a 401 per subscription', async () => {
    const r = await doctor(config('refused'), 'wrong~secret');
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^FAIL {2}azure credential +.*\n {6}→ the credential was refused/m);
    expect(r.stdout).not.toMatch(/resource-graph|policy subscription/);
    expect(r.stdout + r.stderr).not.toContain('wrong~secret');
  }, 60_000);

  it('proves the output container writable with a probe blob it deletes again', async () => {
    const r = await doctor(config('usable', { contexts: 'aks-shared-westus' }));
    expect(r.stdout).toMatch(/^ok {4}output\.blob container:evidence +writable \(a probe blob was created and deleted\)$/m);
    const service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const left: string[] = [];
    for await (const b of service.getContainerClient('evidence').listBlobsFlat()) left.push(b.name);
    expect(left).toEqual([]);
  }, 60_000);
});
