// Sharded runs: three shard processes plus a merge give the packs and the summary (verdicts and FinOps) of one
// process, through real Azurite, while each shard collects and keeps only its tenants' scopes and the shared ones; a
// shard that is missing, partial, altered or not signed fails the merge closed.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSigner } from '../src/evidence/signer.js';
import { unzipFiles } from '../src/evidence/zip.js';
import { ownsTenant, parseShard, shardOfTenant } from '../src/sharding/shard.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './support/azurite.js';
import { compline, complineAsync } from './support/cli.js';
import { queryStore, vaultRow } from './support/store-query.js';

const RUN = 'nightly-20261205';
const TENANTS = ['acme', 'delta', 'zeta'];
let azurite: Azurite;
let service: BlobServiceClient;
let dir: string;
const ENV = { AZURITE_KEY };

/** Shared by the tenants (resource groups decide); zeta and delta each own one more outright. */
const SUB = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
const SUB_ZETA = '7f9e0a31-3d5c-4f20-9b77-2c3d4e5f6071';
const SUB_DELTA = '8a0f1b42-4e6d-4031-8c88-3d4e5f607182';
const vaultId = (name: string, rg: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`;
const vault = (name: string, rg: string, purge: boolean | null, sub = SUB) =>
  vaultRow(name, rg, purge === null ? {} : { enablePurgeProtection: purge }, sub);
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}` } });

const COST_HEADER =
  'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ResourceId,SubAccountId';
const costRows = (day: string, next: string) =>
  (
    [
      [vaultId('kv-acme', 'rg-acme-prod'), SUB, '1.111'],
      [vaultId('kv-delta', 'rg-delta-prod'), SUB, '1.005'],
      [vaultId('kv-shared', 'rg-platform'), SUB, '0.557'],
      [vaultId('kv-zeta-core', 'rg-core', SUB_ZETA), SUB_ZETA, '2.222'],
      [vaultId('kv-delta-core', 'rg-core', SUB_DELTA), SUB_DELTA, '3.333'],
    ] as const
  ).map(([id, sub, cost]) => `${cost},${cost},EUR,${day},${next},Usage,${id},/subscriptions/${sub}`);

/**
 * Three tenants that fall in three different shards (delta 0, zeta 1, acme 2): vaults in a shared subscription (one
 * no tenant owns), in zeta's and delta's own subscriptions, a cluster dedicated to delta and one shared by all, and a
 * cost export whose shared vault is split in proportion to the tenants' direct cost. It publishes to the Azurite
 * container; the stores and the demo signer in one folder, so every process signs with one key.
 */
function shardConfig(): string {
  mkdirSync(join(dir, 'estate'), { recursive: true });
  writeFileSync(
    join(dir, 'estate', 'page.json'),
    JSON.stringify({
      data: [
        vault('kv-acme', 'rg-acme-prod', false),
        vault('kv-acme-2', 'rg-acme-prod', true),
        vault('kv-zeta', 'rg-zeta-prod', null),
        vault('kv-delta', 'rg-delta-prod', true),
        vault('kv-shared', 'rg-platform', false),
        vault('kv-zeta-core', 'rg-core', true, SUB_ZETA),
        vault('kv-zeta-ops', 'rg-ops', false, SUB_ZETA),
        vault('kv-delta-core', 'rg-core', false, SUB_DELTA),
      ],
    }),
  );
  for (const [cluster, names] of [
    ['aks-delta', ['gc-delta-app']],
    ['aks-shared', ['gc-acme-app', 'gc-zeta-app', 'kube-system']],
  ] as const) {
    mkdirSync(join(dir, 'k8s', cluster), { recursive: true });
    writeFileSync(join(dir, 'k8s', cluster, 'namespaces.json'), JSON.stringify({ kind: 'List', items: names.map(namespace) }));
  }
  mkdirSync(join(dir, 'costs'), { recursive: true });
  writeFileSync(
    join(dir, 'costs', 'focus.csv'),
    `${[COST_HEADER, ...costRows('2026-11-01', '2026-11-02'), ...costRows('2026-11-02', '2026-11-03')].join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1, sox-itgc], environments: [prod], subscriptions: [${SUB_ZETA}] }
  - { id: delta, name: Delta Pay, tier: enterprise, frameworks: [sox-itgc], environments: [prod], subscriptions: [${SUB_DELTA}], clusters: [aks-delta] }
mapping: { shared_clusters: [aks-shared] }
sources:
  resource_graph: { mode: file, paths: [estate] }
  kubernetes: { mode: file, paths: [k8s] }
  cost: { mode: file, paths: [costs] }
finops:
  allocation:
    shared_services: [{ name: platform-vault, resources: ["*/vaults/kv-shared"], split: proportional }]
signer: { demo: true }
output:
  dir: out
  store: store/one.duckdb
  blob: { account_url: "${azurite.url}", container: evidence, prefix: compline/, credential: { kind: account_key, account_name: ${AZURITE_ACCOUNT}, key_env: AZURITE_KEY } }
`,
  );
  return join(dir, 'compline.yaml');
}

const time = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** A tenant folder's files, timestamps and signatures aside: packs opened, manifests reduced to the files they list. */
async function comparable(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) {
    const data = readFileSync(join(folder, name));
    if (name.endsWith('.zip')) {
      for (const [entry, bytes] of await unzipFiles(data)) out[`${name}!${entry}`] = normalise(entry, bytes);
    } else out[name] = normalise(name, data);
  }
  return out;
}

function normalise(name: string, data: Buffer): string {
  if (name.endsWith('.jws') || name.endsWith('.pdf')) return '<signed>';
  if (name === 'manifest.json')
    return JSON.parse(data.toString()).files.map((f: { path?: string; name?: string }) => f.path ?? f.name);
  return data.toString('utf8').replace(time, '<time>');
}

beforeAll(async () => {
  azurite = await startAzurite();
  service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  await service.getContainerClient('evidence').create();
  dir = mkdtempSync(join(tmpdir(), 'compline-shard-'));
}, 30_000);
afterAll(async () => {
  await azurite?.stop();
});

describe('shard assignment', () => {
  it('puts every tenant in exactly one shard, by its id alone, and the platform on shard 0', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `tenant_${i}`);
    for (const count of [1, 2, 3, 7]) {
      const shards = Array.from({ length: count }, (_, index) => ({ index, count }));
      for (const id of ids) expect(shards.filter((s) => ownsTenant(s, id)).length).toBe(1);
      expect(shards.filter((s) => ownsTenant(s, null)).map((s) => s.index)).toEqual([0]);
      expect(shards.filter((s) => ownsTenant(s, '_platform')).map((s) => s.index)).toEqual([0]);
    }
    // Stable: the same hash as yesterday, whatever else is configured.
    expect(ids.slice(0, 6).map((id) => shardOfTenant(id, 3))).toEqual(ids.slice(0, 6).map((id) => shardOfTenant(id, 3)));
    expect(new Set(ids.map((id) => shardOfTenant(id, 3)))).toEqual(new Set([0, 1, 2]));
  });

  it('refuses a shard outside its count', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', '-1/3', 'a/b', '1'])
      expect(() => parseShard(bad)).toThrow(/expected INDEX\/COUNT with 0 ≤ INDEX < COUNT/);
  });
});

describe('three shards and a merge', () => {
  it('give the packs and the summary of one process, and publish each shard to the container', async () => {
    const config = shardConfig();
    const one = compline(['run', '--config', config, '--run-id', RUN, '--out', join(dir, 'one'), '--format', 'text'], {
      env: { ...ENV },
    });
    expect(one.code, one.stderr).toBe(0);
    // The shards publish under the same names, create-only: the one process's copy makes way (same config, same hash).
    const container = service.getContainerClient('evidence');
    for await (const b of container.listBlobsFlat({ prefix: 'compline/' })) await container.deleteBlob(b.name);
    const shards = await Promise.all(
      [0, 1, 2].map((i) =>
        complineAsync(
          ['run', '--config', config, '--run-id', RUN, '--shard', `${i}/3`, '--store', join(dir, 'store', `s${i}.duckdb`)],
          { env: ENV },
        ),
      ),
    );
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    const published = new Set<string>();
    for await (const b of container.listBlobsFlat({ prefix: 'compline/' })) published.add(b.name.split('/')[1]!);
    expect([...published].sort()).toEqual(['_platform', '_shards', ...TENANTS]);

    // Each tenant's report in exactly one shard, with the same files as one process wrote.
    const owners: Record<string, string> = {};
    for (const shard of readdirSync(join(dir, 'out', RUN)))
      for (const t of readdirSync(join(dir, 'out', RUN, shard))) if (t !== '_shards') owners[t] = shard;
    expect(Object.keys(owners).sort()).toEqual([...TENANTS, '_platform'].sort());
    expect(owners._platform).toBe('shard-0-of-3');
    for (const [tenant, shard] of Object.entries(owners)) {
      expect(await comparable(join(dir, 'out', RUN, shard, tenant))).toEqual(await comparable(join(dir, 'one', RUN, tenant)));
    }

    // Each shard holds its tenants' rows and the shared ones no tenant owns: zeta's and delta's own subscriptions and
    // delta's cluster only where they are collected, and the cost rows each shard answers for, the bill once in all.
    const store = (i: number) => join(dir, 'store', `s${i}.duckdb`);
    const counted = (file: string, table: string, key: string) =>
      queryStore(
        file,
        `select k || ' ' || n as n from (select ${key} as k, count(*) as n from ${table} group by 1) order by 1`,
      ).then((rows) => rows.map((r) => r.n));
    const held = async (file: string) => ({
      resources: await counted(file, 'resources', `coalesce(tenant_id, '-') || ' ' || subscription_id`),
      k8s: await counted(file, 'k8s_objects', `coalesce(tenant_id, '-') || ' ' || cluster`),
      costs: await counted(file, 'costs', `regexp_replace(SubAccountId, '^/subscriptions/', '')`),
    });
    expect(await held(store(0))).toEqual({
      resources: [`- ${SUB} 1`, `delta ${SUB} 1`, `delta ${SUB_DELTA} 1`],
      k8s: ['- aks-shared 1', 'delta aks-delta 1'],
      costs: [`${SUB} 6`, `${SUB_DELTA} 2`],
    });
    expect(await held(store(1))).toEqual({
      resources: [`- ${SUB} 1`, `zeta ${SUB} 1`, `zeta ${SUB_ZETA} 2`],
      k8s: ['- aks-shared 1', 'zeta aks-shared 1'],
      costs: [`${SUB_ZETA} 2`],
    });
    expect(await held(store(2))).toEqual({
      resources: [`- ${SUB} 1`, `acme ${SUB} 2`],
      k8s: ['- aks-shared 1', 'acme aks-shared 1'],
      costs: [],
    });
    expect(await held(join(dir, 'store', 'one.duckdb'))).toMatchObject({
      resources: [`- ${SUB} 1`, `acme ${SUB} 2`, `delta ${SUB} 1`, `delta ${SUB_DELTA} 1`, `zeta ${SUB} 1`, `zeta ${SUB_ZETA} 2`],
      costs: [`${SUB} 6`, `${SUB_ZETA} 2`, `${SUB_DELTA} 2`],
    });
    // Every shard signed its record.
    for (const i of [0, 1, 2]) {
      const shard = `shard-${i}-of-3`;
      expect(readFileSync(join(dir, 'out', RUN, shard, '_shards', shard, 'shard.json.jws'), 'utf8')).toMatch(
        /^[\w-]+\.\.[\w-]+\n$/,
      );
    }

    const merged = compline(['merge', '--config', config, '--run', RUN], { env: ENV });
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('compline/_shards/nightly-20261205/');
    expect(merged.stdout).toContain('\nevery shard.json verified under the configured signer\n');
    // The FinOps table too: the shared vault split in proportion to direct costs only some shards collected, to the cent.
    const finops = (text: string) =>
      text
        .slice(text.search(/^tenant +currency/m))
        .split('\n\n')[0]
        ?.trimEnd() ?? '';
    expect(finops(merged.stdout)).toBe(finops(one.stdout));
    expect(finops(merged.stdout).split('\n').length).toBe(5);
    // The compliance table, as one process printed it (what follows it in the run's summary is not the merge's).
    const table = (text: string) => text.slice(text.indexOf('tenant ')).split('\n\n')[0]?.trimEnd() ?? '';
    expect(table(merged.stdout)).toBe(table(one.stdout));
    expect(table(merged.stdout)).toMatch(/^acme +pci-dss-4\.0\.1 +\d+ +[1-9]\d* /m);
    expect(
      table(merged.stdout)
        .split('\n')
        .map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
    ).toEqual([
      'tenant framework',
      'acme pci-dss-4.0.1',
      'zeta pci-dss-4.0.1',
      'zeta sox-itgc',
      'delta sox-itgc',
      '_platform pci-dss-4.0.1',
      '_platform sox-itgc',
      '_platform gdpr',
      '_platform soc2',
    ]);
  }, 240_000);

  it('fails closed when a shard is missing, partial or altered', async () => {
    const config = join(dir, 'compline.yaml');
    const container = service.getContainerClient('evidence');
    const prefix = `compline/_shards/${RUN}/`;
    const local = join(dir, 'out');
    // From the folder: one shard's run folder gone.
    const copy = join(dir, 'copy');
    cpSync(local, copy, { recursive: true });
    rmSync(join(copy, RUN, 'shard-1-of-3'), { recursive: true });
    const missing = compline(['merge', '--config', config, '--run', RUN, '--from', copy], { env: ENV });
    expect(missing.code).toBe(4);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^compline: merge of run nightly-20261205 failed: shard-1-of-3 missing \(2 of 3 shards found\)/,
    );

    // A shard.json changed after it was signed, and one whose signature is gone.
    cpSync(join(local, RUN, 'shard-1-of-3'), join(copy, RUN, 'shard-1-of-3'), { recursive: true });
    const record = (shard: string) => join(copy, RUN, shard, '_shards', shard, 'shard.json');
    const original = readFileSync(record('shard-2-of-3'));
    writeFileSync(record('shard-2-of-3'), original.toString().replace('"status": "ok"', '"status": "ok" '));
    const tampered = compline(['merge', '--config', config, '--run', RUN, '--from', copy], { env: ENV });
    expect(tampered.code).toBe(4);
    expect(tampered.stderr).toMatch(/shard-2-of-3: shard\.json does not match its signature \(altered after signing\)/);
    writeFileSync(record('shard-2-of-3'), original);
    rmSync(`${record('shard-1-of-3')}.jws`);
    expect(compline(['merge', '--config', config, '--run', RUN, '--from', copy]).stderr).toMatch(
      /shard-1-of-3: shard\.json is not signed \(no shard\.json\.jws\), and the config has a signer/,
    );
    cpSync(join(local, RUN, 'shard-1-of-3'), join(copy, RUN, 'shard-1-of-3'), { recursive: true });

    // Changed and signed again with the run's key: a shard that did not see its sources whole, one that found rows of
    // a tenant its shard never collected, and one that claims another shard's tenant.
    const signer = await demoSigner(join(dir, 'store', 'demo-signer'));
    const edit = async (shard: string, change: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(readFileSync(record(shard), 'utf8'));
      change(m);
      const bytes = Buffer.from(JSON.stringify(m));
      writeFileSync(record(shard), bytes);
      writeFileSync(`${record(shard)}.jws`, await signer.signDetached(bytes));
    };
    await edit('shard-2-of-3', (m) => (m.status = 'partial'));
    const notWhole = compline(['merge', '--config', config, '--run', RUN, '--from', copy], { env: ENV });
    expect(notWhole.code).toBe(4);
    expect(notWhole.stderr).toMatch(/shard-2-of-3 is partial: its sources were not collected whole/);
    await edit('shard-2-of-3', (m) => {
      m.status = 'ok';
      m.strays = [{ tenant: 'zeta', scope: `subscription:${SUB_DELTA}`, rows: 2 }];
    });
    expect(compline(['merge', '--config', config, '--run', RUN, '--from', copy]).stderr).toMatch(
      new RegExp(
        `tenant zeta has 2 rows in subscription:${SUB_DELTA} \\(found by shard-2-of-3\\), which its shard does not collect`,
      ),
    );
    await edit('shard-2-of-3', (m) => {
      m.strays = [];
      m.reported = [...(m.reported as string[]), '_platform'];
    });
    expect(compline(['merge', '--config', config, '--run', RUN, '--from', copy]).stderr).toMatch(
      /_platform reported by both shard-0-of-3 and shard-2-of-3/,
    );

    // A Parquet file that is not the one the shard recorded.
    writeFileSync(join(local, RUN, 'shard-2-of-3', '_shards', 'shard-2-of-3', 'findings.parquet'), 'x');
    const altered = compline(['merge', '--config', config, '--run', RUN, '--from', local], { env: ENV });
    expect(altered.code).toBe(4);
    expect(altered.stderr).toMatch(/shard-2-of-3: findings\.parquet differs from its manifest/);

    // In the container: an upload that stopped before the shard's manifest.
    await container.deleteBlob(`${prefix}shard-2-of-3/shard.json`);
    const partial = compline(['merge', '--config', config, '--run', RUN], { env: ENV });
    expect(partial.code).toBe(4);
    expect(partial.stderr).toMatch(/shard-2-of-3 is partial: no shard\.json/);

    // A shard count other than the one asked for, and a run no shard wrote.
    expect(compline(['merge', '--config', config, '--run', RUN, '--shards', '4', '--from', copy]).stderr).toMatch(
      /shards disagree on the shard count \(3, 4\)/,
    );
    const none = compline(['merge', '--config', config, '--run', 'nightly-20000101'], { env: ENV });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/no shard found/);
  }, 240_000);

  it('names the cost scope a shard did not collect whole', async () => {
    const whole = readFileSync(shardConfig(), 'utf8').replace(/ {2}blob: .*\n/, '');
    mkdirSync(join(dir, 'costs-bad'), { recursive: true });
    const late = costRows('2026-11-03', '2026-11-04');
    writeFileSync(join(dir, 'costs-bad', 'late.csv'), `${COST_HEADER}\n${late[0]}\nfour${late[1]}\n`);
    const config = join(dir, 'late.yaml');
    writeFileSync(
      config,
      whole.replace('cost: { mode: file, paths: [costs] }', 'cost: { mode: file, paths: [costs, costs-bad] }'),
    );
    const out = join(dir, 'out-late');
    const args = ['--run-id', RUN, '--shard', '0/1', '--out', out, '--store', join(dir, 'store', 'late.duckdb')];
    expect(compline(['run', '--config', config, ...args]).code).toBe(4);
    const merged = compline(['merge', '--config', config, '--run', RUN, '--from', out]);
    expect(merged.code).toBe(4);
    expect(merged.stdout).toBe('');
    expect(merged.stderr).toMatch(
      /shard-0-of-1 is partial: its sources were not collected whole \(cost partial for file:costs-bad\/late\.csv: costs-bad\/late\.csv: row 2, column BilledCost: not a number \(four1\.005\) \(1 row refused, 1 loaded\)\)/,
    );
  }, 120_000);
});
