// The terraform source end to end: states (raw format 4 and `show -json`) and a refresh-only plan read from a
// folder and from real Azurite with the platform's key layout, compared with a live estate by the checks; broken
// files make their tenant's verdicts errors and no one else's; planted secrets reach no table, report, pack or log.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorEvent } from '../src/collectors/collector.js';
import { folderStore } from '../src/collectors/terraform-state/state-files.js';
import { TerraformStateSource } from '../src/collectors/terraform-state/terraform-state-source.js';
import { type RunResult, runCommand } from '../src/commands/run.js';
import { unzipFiles } from '../src/evidence/zip.js';
import type { IacInstance, IacResourceRow } from '../src/model.js';
import { Store, TABLE_DDL } from '../src/store.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './support/azurite.js';
import { ROOT } from './support/cli.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'terraform-state');
const SUB = '11111111-1111-4111-8111-111111111111';
const PLATFORM_SUB = '22222222-2222-4222-8222-222222222222';
const rid = (rg: string, provider: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/${provider}/${name}`;
const lower = (s: string) => s.toLowerCase();

const STORAGE = rid('rg-t1-prod', 'Microsoft.Storage/storageAccounts', 'stt1prod');
const SQL = rid('rg-t1-prod', 'Microsoft.Sql/servers', 'sql-t1-prod');
const VAULT = rid('rg-t1-prod', 'Microsoft.KeyVault/vaults', 'kv-t1-prod');
const MANUAL = rid('rg-t1-prod', 'Microsoft.Storage/storageAccounts', 'stt1manual');
const T2_VAULT = rid('rg-t2-prod', 'Microsoft.KeyVault/vaults', 'kv-t2-prod');
const BACKEND = `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-platform-tfstate/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`;

function live(id: string, type: string, properties: Record<string, unknown>, tags: Record<string, string> = {}) {
  const parts = id.split('/');
  return {
    id,
    name: parts.at(-1),
    type,
    location: 'eastus',
    resourceGroup: parts[4],
    subscriptionId: parts[2],
    tags,
    properties,
  };
}

/** The live estate: the storage account's TLS lowered by hand, the vault deleted, one account made in the portal. */
const ESTATE = {
  data: [
    live(STORAGE, 'microsoft.storage/storageaccounts', {
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_0',
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      publicNetworkAccess: 'Disabled',
    }),
    live(SQL, 'microsoft.sql/servers', { version: '12.0', minimalTlsVersion: '1.2', publicNetworkAccess: 'Disabled' }),
    live(MANUAL, 'microsoft.storage/storageaccounts', { minimumTlsVersion: 'TLS1_2' }),
    live(T2_VAULT, 'microsoft.keyvault/vaults', { enablePurgeProtection: true }),
    live(BACKEND, 'microsoft.storage/storageaccounts', { allowBlobPublicAccess: false, allowSharedKeyAccess: true }),
    live(`${BACKEND}/blobServices/default`, 'microsoft.storage/storageaccounts/blobservices', {
      isVersioningEnabled: true,
      deleteRetentionPolicy: { enabled: true, days: 30 },
    }),
  ],
};

const change = (n: number, id: string, by: string | null, at: string) => ({
  id: `${id}/providers/Microsoft.Resources/changes/0858${n}`,
  type: 'microsoft.resources/changes',
  properties: {
    targetResourceId: id,
    targetResourceType: 'microsoft.storage/storageaccounts',
    changeType: 'Update',
    changeAttributes: { timestamp: at, changedBy: by, clientType: by?.startsWith('sp-') ? 'Terraform' : 'Azure Portal' },
    changes: { 'properties.minimumTlsVersion': { previousValue: 'PLANTED-CHANGE-VALUE-0010', newValue: 'TLS1_0' } },
  },
});
const CHANGES = {
  data: [
    change(1, STORAGE, 'alice@t1.example', '2026-12-03T10:00:00Z'),
    change(2, SQL, 'sp-deploy@t1.example', '2026-12-03T11:00:00Z'),
    change(3, T2_VAULT, 'sp-deploy@t2.example', '2026-12-03T12:00:00Z'),
  ],
};

/** t2's state: its vault, and (wrongly) t1's portal-made account, which must not make it managed for t1. */
const T2_STATE = {
  version: 4,
  terraform_version: '1.9.8',
  serial: 7,
  lineage: '0c7e1b44-2d4f-4b1e-8a3c-9d8e7f6a5b4c',
  outputs: {},
  resources: [
    {
      mode: 'managed',
      type: 'azurerm_key_vault',
      name: 'main',
      provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
      instances: [{ schema_version: 2, attributes: { id: T2_VAULT, name: 'kv-t2-prod', purge_protection_enabled: true } }],
    },
    {
      mode: 'managed',
      type: 'azurerm_storage_account',
      name: 'stray',
      provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
      instances: [
        { schema_version: 4, attributes: { id: MANUAL, name: 'stt1manual', primary_access_key: 'PLANTED-T2-KEY-0011' } },
      ],
    },
  ],
};

const FILES: Record<string, string> = {
  'customers/t1/prod/terraform.tfstate': readFileSync(join(FIXTURES, 'raw-v4.tfstate'), 'utf8'),
  'customers/t1/prod/drift.json': readFileSync(join(FIXTURES, 'refresh-only-plan.json'), 'utf8'),
  'customers/t2/prod/terraform.tfstate': JSON.stringify(T2_STATE),
};

function workspace(terraform: string, extraParams = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-tfstate-'));
  mkdirSync(join(dir, 'estate'));
  writeFileSync(join(dir, 'estate', 'page.json'), JSON.stringify(ESTATE));
  writeFileSync(join(dir, 'changes.json'), JSON.stringify(CHANGES));
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: t1, name: Tenant One, tier: enterprise, frameworks: [sox-itgc, pci-dss-4.0.1], environments: [prod] }
  - { id: t2, name: Tenant Two, tier: standard, frameworks: [sox-itgc, pci-dss-4.0.1], environments: [prod] }
sources:
  resource_graph: { mode: file, paths: [estate] }
  resource_changes: { mode: file, paths: [changes.json] }
  terraform: ${terraform}
check_params:
  iac-out-of-band-change: { pipeline_identities: "t1:sp-deploy@t1.example, t2:sp-deploy@t2.example" }${extraParams}
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return dir;
}

function stateFolder(dir: string, files: Record<string, string>): void {
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'states', key, '..'), { recursive: true });
    writeFileSync(join(dir, 'states', key), text);
  }
}

const KEYS = '["customers/{tenant}/{env}/terraform.tfstate", "customers/{tenant}/{env}/drift.json"]';

async function run(dir: string): Promise<{ result: RunResult; logs: string[] }> {
  const logs: string[] = [];
  const result = await runCommand({
    config: join(dir, 'compline.yaml'),
    log: (l) => logs.push(l),
    now: new Date('2026-12-05T02:00:00Z'),
    env: { AZURITE_KEY },
  });
  return { result, logs };
}

/** check → status → sorted subjects, for one tenant. */
function verdicts(result: RunResult, tenant: string, checks: readonly string[]) {
  const out: Record<string, Record<string, string[]>> = {};
  for (const f of result.findings) {
    if (f.tenant_id !== tenant || !checks.includes(f.check_id)) continue;
    const byStatus = out[f.check_id] ?? {};
    out[f.check_id] = byStatus;
    byStatus[f.status] = [...(byStatus[f.status] ?? []), f.resource_id];
  }
  for (const c of Object.values(out)) for (const list of Object.values(c)) list.sort();
  return out;
}

const IAC_CHECKS = [
  'iac-unmanaged-resource',
  'iac-drift',
  'iac-orphaned-state-entry',
  'iac-out-of-band-change',
  'iac-stale-state',
];

/** Every text a run left behind: the store's rows, every output file (packs unzipped), and the log lines. */
async function everything(dir: string, logs: string[]): Promise<string> {
  const texts: string[] = [logs.join('\n')];
  const store = await Store.open(join(dir, 'store', 'compline.duckdb'));
  try {
    for (const table of Object.keys(TABLE_DDL)) texts.push(JSON.stringify(await store.read(`select * from main.${table}`)));
  } finally {
    store.close();
  }
  const walk = async (p: string): Promise<void> => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p)) await walk(join(p, e));
      return;
    }
    const data = readFileSync(p);
    if (p.endsWith('.zip')) for (const [, f] of await unzipFiles(data)) texts.push(f.toString('latin1'));
    else texts.push(data.toString('latin1'));
  };
  await walk(join(dir, 'out'));
  return texts.join('\n');
}

describe('reading Terraform documents', () => {
  /** `Source`: the source from the TypeScript sources (files read in this thread) unless the built one is given. */
  async function collect(
    files: Record<string, string>,
    Source: typeof TerraformStateSource = TerraformStateSource,
  ): Promise<CollectorEvent[]> {
    const dir = mkdtempSync(join(tmpdir(), 'compline-tfread-'));
    stateFolder(dir, files);
    const source = new Source(
      folderStore(join(dir, 'states'), 'sttfstate'),
      ['customers/{tenant}/{env}/*.tfstate', 'customers/{tenant}/{env}/*.json'],
      [
        { id: 't1', environments: ['prod'] },
        { id: 't2', environments: ['prod'] },
      ],
    );
    const events: CollectorEvent[] = [];
    for await (const e of source.collect()) events.push(e);
    return events;
  }
  /** The rows the store would load: each document's facts with each of its instance lines. */
  const rowsOf = (events: CollectorEvent[]): IacResourceRow[] =>
    events.flatMap((e) =>
      e.kind === 'iac-documents'
        ? e.documents.flatMap(({ instances, count: _, ...facts }) =>
            Buffer.from(instances)
              .toString()
              .split('\n')
              .map((line) => ({ ...facts, ...(JSON.parse(line) as IacInstance) })),
          )
        : [],
    );
  const statuses = (events: CollectorEvent[]) =>
    events.flatMap((e) =>
      e.kind === 'status' ? [[e.status.scope, e.status.status, e.status.error, e.status.tenant_id ?? null]] : [],
    );

  it('raw format 4 and show -json of the same state give the same instances, ids, types and properties', async () => {
    const raw = rowsOf(await collect({ 'customers/t1/prod/terraform.tfstate': FILES['customers/t1/prod/terraform.tfstate']! }));
    const show = rowsOf(
      await collect({ 'customers/t1/prod/terraform.tfstate': readFileSync(join(FIXTURES, 'show-state.json'), 'utf8') }),
    );
    const facts = (rows: IacResourceRow[]) =>
      rows.map((r) => [r.address, r.tf_type, r.type, r.resource_id, JSON.stringify(r.properties)]).sort();
    expect(facts(show)).toEqual(facts(raw));
    expect(raw.map((r) => r.address).sort()).toEqual([
      'azurerm_key_vault_secret.db',
      'azurerm_mssql_server.main',
      'azurerm_storage_account.data',
      'module.vault.azurerm_key_vault.this[0]',
      'random_password.sql',
    ]);
    const sa = raw.find((r) => r.address === 'azurerm_storage_account.data')!;
    expect(sa).toMatchObject({
      tenant_id: 't1',
      environment: 'prod',
      workspace_key: 'customers/t1/prod/terraform.tfstate',
      document: 'state',
      backend_account: 'sttfstate',
      type: 'microsoft.storage/storageaccounts',
      resource_id: lower(STORAGE),
      serial: 42,
      lineage: '6f1c9a2e-3b7d-4e1a-9c55-1a2b3c4d5e6f',
    });
    expect(sa.properties).toMatchObject({ minimumTlsVersion: 'TLS1_2', allowSharedKeyAccess: true });
    // show -json carries no serial or lineage
    expect(show.every((r) => r.serial === null && r.lineage === null)).toBe(true);
  });

  it('a refresh-only plan gives the drifted attributes by name, and a resource deleted outside Terraform', async () => {
    const rows = rowsOf(await collect({ 'customers/t1/prod/drift.json': FILES['customers/t1/prod/drift.json']! }));
    expect(rows.map((r) => [r.document, r.address, r.resource_id, r.drift_attributes])).toEqual([
      [
        'plan',
        'azurerm_storage_account.data',
        lower(STORAGE),
        ['allow_nested_items_to_be_public', 'min_tls_version', 'primary_access_key'],
      ],
      ['plan', 'module.vault.azurerm_key_vault.this[0]', lower(VAULT), ['(deleted outside Terraform)']],
    ]);
  });

  it('a file that is not JSON, is truncated or of an unknown version gives no rows and fails its tenant scope', async () => {
    const events = await collect({
      'customers/t2/prod/a.tfstate': readFileSync(join(FIXTURES, 'not-json.tfstate'), 'utf8'),
      'customers/t2/prod/b.tfstate': readFileSync(join(FIXTURES, 'truncated.tfstate'), 'utf8'),
      'customers/t2/prod/c.tfstate': readFileSync(join(FIXTURES, 'version-3.tfstate'), 'utf8'),
      'customers/t9/prod/terraform.tfstate': JSON.stringify(T2_STATE),
      'customers/t1/qa/terraform.tfstate': JSON.stringify(T2_STATE),
      'README.md': 'not a state',
    });
    expect(rowsOf(events)).toEqual([]);
    expect(statuses(events)).toEqual([
      ['state:customers/t1/qa/terraform.tfstate', 'partial', 'key names an environment t1 does not have (qa)', null],
      ['state:customers/t2/prod/a.tfstate', 'failed', expect.stringMatching(/^not JSON \(Unexpected token/), 't2'],
      ['state:customers/t2/prod/b.tfstate', 'failed', 'truncated JSON (the input ends before the document does)', 't2'],
      ['state:customers/t2/prod/c.tfstate', 'failed', 'unknown state format version 3 (known: 4)', 't2'],
      ['state:customers/t9/prod/terraform.tfstate', 'partial', 'key names no configured tenant (t9)', null],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/PLANTED/);
  });

  it('association resources fold into what they attach to, as the plan normaliser folds them', async () => {
    const at = `/subscriptions/${SUB}/resourceGroups/rg-t1-prod/providers`;
    const instance = (type: string, name: string, attributes: Record<string, unknown>) => ({
      mode: 'managed',
      type,
      name,
      provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
      instances: [{ schema_version: 0, attributes }],
    });
    const state = {
      version: 4,
      serial: 3,
      lineage: 'merge-test',
      resources: [
        instance('azurerm_network_security_group', 'web', {
          id: `${at}/Microsoft.Network/networkSecurityGroups/nsg-web`,
          name: 'nsg-web',
          resource_group_name: 'rg-t1-prod',
          security_rule: [],
        }),
        instance('azurerm_network_security_rule', 'ssh', {
          id: `${at}/Microsoft.Network/networkSecurityGroups/nsg-web/securityRules/ssh`,
          name: 'ssh',
          resource_group_name: 'rg-t1-prod',
          network_security_group_name: 'nsg-web',
          priority: 100,
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          destination_port_range: '22',
        }),
        instance('azurerm_storage_account', 'data', {
          id: `${at}/Microsoft.Storage/storageAccounts/stdata`,
          name: 'stdata',
          min_tls_version: 'TLS1_2',
          primary_access_key: 'PLANTED-MERGE-KEY-0012',
        }),
        instance('azurerm_storage_account_network_rules', 'data', {
          id: `${at}/Microsoft.Storage/storageAccounts/stdata`,
          storage_account_id: `${at}/Microsoft.Storage/storageAccounts/stdata`,
          default_action: 'Deny',
        }),
      ],
    };
    const events = await collect({ 'customers/t1/prod/terraform.tfstate': JSON.stringify(state) });
    expect(rowsOf(events).map((r) => [r.address, r.type, r.properties])).toEqual([
      [
        'azurerm_network_security_group.web',
        'microsoft.network/networksecuritygroups',
        {
          securityRules: [
            {
              name: 'ssh',
              properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', destinationPortRange: '22' },
            },
          ],
        },
      ],
      ['azurerm_network_security_rule.ssh', null, null],
      [
        'azurerm_storage_account.data',
        'microsoft.storage/storageaccounts',
        { minimumTlsVersion: 'TLS1_2', networkAcls: { defaultAction: 'Deny' } },
      ],
      ['azurerm_storage_account_network_rules.data', null, null],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/PLANTED/);
  });

  it('reader threads (the built source) give the same rows and statuses as reading in this thread', async () => {
    const built = join(ROOT, 'dist', 'collectors', 'terraform-state');
    const { DocumentReaders } = (await import(
      join(built, 'document-readers.js')
    )) as typeof import('../src/collectors/terraform-state/document-readers.js');
    const readers = new DocumentReaders(2);
    expect(readers.threads).toBe(2);
    await readers.close();
    const { TerraformStateSource: Built } = (await import(
      join(built, 'terraform-state-source.js')
    )) as typeof import('../src/collectors/terraform-state/terraform-state-source.js');
    // More files than threads, a broken one among them: results keep the listing's order.
    const files = {
      ...FILES,
      'customers/t1/prod/b.tfstate': readFileSync(join(FIXTURES, 'truncated.tfstate'), 'utf8'),
      'customers/t2/prod/c.tfstate': readFileSync(join(FIXTURES, 'show-state.json'), 'utf8'),
      'customers/t2/prod/d.tfstate': JSON.stringify(T2_STATE),
    };
    const inThread = await collect(files);
    const threaded = await collect(files, Built);
    // Two folders written one after the other: only the files' times differ.
    const undated = (events: CollectorEvent[]) => rowsOf(events).map(({ last_modified: _, ...row }) => row);
    expect(undated(threaded)).toEqual(undated(inThread));
    expect(statuses(threaded)).toEqual(statuses(inThread));
    expect(statuses(threaded)).toContainEqual([
      'state:customers/t1/prod/b.tfstate',
      'failed',
      'truncated JSON (the input ends before the document does)',
      't1',
    ]);
    expect(rowsOf(threaded).length).toBe(16); // 5 + 2 + 5 + 2 + 2 instances
  });
});

describe('compline run with the terraform source', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
    const service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const container = service.getContainerClient('tfstate-pci');
    await container.create();
    for (const [key, text] of Object.entries(FILES))
      await container.getBlockBlobClient(key).upload(text, Buffer.byteLength(text));
    // a second compliance zone's container, with nothing for these tenants but an unrelated file
    await service.getContainerClient('tfstate-general').create();
    await service.getContainerClient('tfstate-general').getBlockBlobClient('README.md').upload('x', 1);
  }, 60_000);
  afterAll(async () => {
    await azurite?.stop();
  });

  const blobSource = () =>
    `{ mode: blob, account_url: "${azurite.url}", containers: [tfstate-pci, tfstate-general], keys: ${KEYS}, credential: { kind: account_key, account_name: ${AZURITE_ACCOUNT}, key_env: AZURITE_KEY } }`;

  const T1_EXPECTED = {
    'iac-unmanaged-resource': { pass: [lower(SQL), lower(STORAGE)].sort(), fail: [lower(MANUAL)] },
    'iac-drift': {
      pass: [lower(SQL)],
      fail: [lower(STORAGE), 'iac://customers/t1/prod/drift.json#module.vault.azurerm_key_vault.this[0]'].sort(),
    },
    'iac-orphaned-state-entry': {
      pass: [
        'iac://customers/t1/prod/terraform.tfstate#azurerm_mssql_server.main',
        'iac://customers/t1/prod/terraform.tfstate#azurerm_storage_account.data',
      ],
      fail: ['iac://customers/t1/prod/terraform.tfstate#module.vault.azurerm_key_vault.this[0]'],
    },
    'iac-out-of-band-change': { pass: [lower(SQL)], fail: [lower(STORAGE)] },
    'iac-stale-state': { pass: ['iac://customers/t1/prod/terraform.tfstate'] },
  };
  const T2_EXPECTED = {
    'iac-unmanaged-resource': { pass: [lower(T2_VAULT)] },
    'iac-orphaned-state-entry': {
      pass: ['iac://customers/t2/prod/terraform.tfstate#azurerm_key_vault.main'],
      error: ['iac://customers/t2/prod/terraform.tfstate#azurerm_storage_account.stray'],
    },
    'iac-drift': { pass: [lower(T2_VAULT)] },
    'iac-out-of-band-change': { pass: [lower(T2_VAULT)] },
    'iac-stale-state': { pass: ['iac://customers/t2/prod/terraform.tfstate'] },
  };

  it('reads the state container with the key layout and gives each tenant its designed verdicts, and no secret anywhere', async () => {
    const dir = workspace(blobSource());
    const { result, logs } = await run(dir);
    expect(result.exitReason).toBeNull();
    expect(result.status).toBe('ok');
    expect(verdicts(result, 't1', IAC_CHECKS)).toEqual(T1_EXPECTED);
    expect(verdicts(result, 't2', IAC_CHECKS)).toEqual(T2_EXPECTED);
    // The backend account is the platform's: shared-key access on fails it, in the platform report.
    const backend = result.findings.filter((f) => f.check_id === 'iac-state-backend-hardening');
    expect(backend.map((f) => [f.resource_id, f.tenant_id, f.status, f.reason])).toEqual([
      [lower(BACKEND), null, 'fail', 'holds Terraform state with shared-key access allowed'],
    ]);
    // The finding names the state key and the live id side by side.
    const drift = result.findings.find((f) => f.check_id === 'iac-drift' && f.resource_id === lower(STORAGE))!;
    expect(drift.reason).toBe(
      'changed outside Terraform: allow_nested_items_to_be_public, min_tls_version, minimumTlsVersion, primary_access_key (state customers/t1/prod/terraform.tfstate, azurerm_storage_account.data)',
    );
    expect(drift.evidence).toMatchObject({ resourceId: lower(STORAGE), stateKey: 'customers/t1/prod/terraform.tfstate' });
    // t1's report never names t2's state, and t2's never names t1's.
    const t1Report = readFileSync(join(result.outDir, 't1', 'report.json'), 'utf8');
    const t2Report = readFileSync(join(result.outDir, 't2', 'report.json'), 'utf8');
    expect(t1Report).not.toContain('customers/t2');
    expect(t2Report).not.toContain('customers/t1');
    expect(t2Report).not.toContain('stt1prod');
    const all = await everything(dir, logs);
    expect(all.match(/PLANTED-[A-Z0-9-]+/g)?.filter((m) => m !== 'PLANTED-TAG-IS-KEPT') ?? []).toEqual([]);
    expect(all).toContain('PLANTED-TAG-IS-KEPT'); // the search does see what is kept: tags are
  }, 120_000);

  it("a truncated state makes its tenant's state verdicts errors and leaves the other tenant's as they were", async () => {
    const dir = workspace(
      `{ mode: folder, path: states, keys: ["customers/{tenant}/{env}/*.tfstate", "customers/{tenant}/{env}/drift.json"] }`,
    );
    stateFolder(dir, {
      ...FILES,
      'customers/t2/prod/network.tfstate': readFileSync(join(FIXTURES, 'truncated.tfstate'), 'utf8'),
    });
    const { result, logs } = await run(dir);
    expect(result.status).toBe('partial');
    expect(result.exitCode).toBe(4);
    expect(verdicts(result, 't1', IAC_CHECKS)).toEqual(T1_EXPECTED);
    const t2 = verdicts(result, 't2', IAC_CHECKS);
    for (const check of IAC_CHECKS) expect(Object.keys(t2[check] ?? { error: [] }), check).toEqual(['error']);
    expect(t2['iac-unmanaged-resource']?.error).toContain('source://terraform-state/state:customers/t2/prod/network.tfstate');
    expect(logs).toContain(
      'warn: terraform-state failed for state:customers/t2/prod/network.tfstate: truncated JSON (the input ends before the document does)',
    );
    const t1Report = readFileSync(join(result.outDir, 't1', 'report.json'), 'utf8');
    expect(t1Report).not.toContain('customers/t2');
    expect((await everything(dir, logs)).match(/PLANTED-[A-Z0-9-]+/g)?.filter((m) => m !== 'PLANTED-TAG-IS-KEPT') ?? []).toEqual(
      [],
    );
  }, 120_000);
});
