// `compline run` with sources.cost: each export is a scope under source `cost`; a broken one leaves the run partial
// (exit 4, the file named with row and column on stderr), its good rows and the other files are still loaded.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compline } from './support/cli.js';
import { queryStore } from './support/store-query.js';

const HEADER = 'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ResourceId,Tags';
const VAULT =
  '/subscriptions/6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60/resourceGroups/rg-acme-prod/providers/Microsoft.KeyVault/vaults/kv-a';

describe('compline run with cost exports', () => {
  it('records each export, loads what can be trusted, and exits 4 naming the broken row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-cost-run-'));
    mkdirSync(join(dir, 'estate'));
    mkdirSync(join(dir, 'costs'));
    writeFileSync(
      join(dir, 'estate', 'page.json'),
      JSON.stringify({
        data: [
          {
            id: VAULT,
            name: 'kv-a',
            type: 'microsoft.keyvault/vaults',
            location: 'eastus',
            resourceGroup: 'rg-acme-prod',
            subscriptionId: '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60',
            tags: {},
            properties: { enablePurgeProtection: true },
          },
        ],
      }),
    );
    const row = (cost: string) => `${cost},${cost},EUR,2026-11-01,2026-11-02,Usage,${VAULT},"{""CustomerID"":""acme""}"`;
    writeFileSync(join(dir, 'costs', 'a-good.csv'), `${HEADER}\n${row('1.25')}\n${row('2.5')}\n`);
    writeFileSync(join(dir, 'costs', 'b-bad.csv'), `${HEADER}\n${row('4')}\n${row('four')}\n`);
    writeFileSync(
      join(dir, 'compline.yaml'),
      `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
sources:
  resource_graph: { mode: file, paths: [estate] }
  cost: { mode: file, paths: [costs] }
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
    );
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'warn: cost partial: costs/b-bad.csv: row 2, column BilledCost: not a number (four) (1 row refused, 1 loaded)',
    );
    const store = join(dir, 'store/compline.duckdb');
    expect(
      await queryStore(
        store,
        `select scope, status, rows::integer as rows from source_status where source = 'cost' order by scope`,
      ),
    ).toEqual([
      { scope: 'file:costs/a-good.csv', status: 'ok', rows: 2 },
      { scope: 'file:costs/b-bad.csv', status: 'partial', rows: 1 },
    ]);
    // Cost rows carry no tenant: allocation attributes them.
    expect(
      await queryStore(
        store,
        `select x_SourceFile as file, sum(BilledCost)::varchar as billed, count(tenant_id)::integer as tenants from costs group by 1 order by 1`,
      ),
    ).toEqual([
      { file: 'costs/a-good.csv', billed: '3.750000', tenants: 0 },
      { file: 'costs/b-bad.csv', billed: '4.000000', tenants: 0 },
    ]);
  }, 120_000);
});
