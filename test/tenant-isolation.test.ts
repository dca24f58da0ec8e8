// Tenant isolation over generated estates: a tenant's report holds that tenant's resources and nothing else.
import { describe, expect, it } from 'vitest';
import { armToRow } from '../src/collectors/resource-graph/arm-row.js';
import { parseConfig } from '../src/config.js';
import { evaluate } from '../src/engine.js';
import { buildTenantReport } from '../src/reports/tenant-report.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { tenantResolver } from '../src/tenancy.js';

/** Small deterministic PRNG so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const catalogue = await loadCatalogue();

describe.each([1, 2, 3, 4, 5])('generated estate, seed %i', (seed) => {
  it('every finding lands in its owner’s report only', async () => {
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const tenants = Array.from({ length: 4 + Math.floor(rand() * 4) }, (_, i) => `tenant_${i}`);
    const config = parseConfig(
      `version: 1\ntenants:\n${tenants.map((t) => `  - { id: ${t}, name: ${t}, tier: standard, frameworks: [pci-dss-4.0.1, sox-itgc], environments: [dev, prod] }`).join('\n')}\n`,
      'generated.yaml',
    );
    const resolver = tenantResolver(config);
    const expected = new Map<string, string | null>();
    const rows = Array.from({ length: 300 }, (_, i) => {
      const owner = rand() < 0.15 ? null : pick(tenants);
      // Ownership arrives by resource group or by tag, sometimes with a misleading resource group.
      const byTag = owner !== null && rand() < 0.4;
      const rg = owner && !byTag ? `rg-${owner}-${pick(['dev', 'prod'])}` : `rg-shared-${i % 7}`;
      const type = pick([
        'Microsoft.KeyVault/vaults',
        'Microsoft.Storage/storageAccounts',
        'Microsoft.Network/networkSecurityGroups',
      ]);
      const id = `/subscriptions/00000000-0000-0000-0000-00000000000${i % 3}/resourceGroups/${rg}/providers/${type}/r${i}`;
      expected.set(id.toLowerCase(), owner);
      const row = armToRow(
        {
          id,
          type,
          name: `r${i}`,
          tags: byTag ? { CustomerID: owner! } : {},
          properties: { enablePurgeProtection: rand() < 0.5, supportsHttpsTrafficOnly: rand() < 0.5, securityRules: [] },
        },
        'file',
      )!;
      row.tenant_id = resolver.resourceTenant(row);
      return row;
    });
    for (const row of rows) expect(row.tenant_id, row.id).toBe(expected.get(row.id));

    const store = await Store.open(':memory:');
    try {
      await store.beginRun({ runId: 'r', mode: 'nightly', toolVersion: 'test', configSha256: null });
      await store.appendResources('r', rows);
      const { findings } = await evaluate(store, catalogue.checks, {
        runId: 'r',
        tenantIds: tenants,
        waivers: [],
        params: {},
        today: '2026-11-25',
      });
      for (const tenant of config.tenants) {
        const report = buildTenantReport({
          run: {
            run_id: 'r',
            mode: 'nightly',
            started_at: '',
            finished_at: '',
            tool_version: 'test',
            config_sha256: null,
            status: 'ok',
          },
          tenant,
          frameworkIds: tenant.frameworks,
          frameworks: catalogue.frameworks,
          checks: catalogue.checks,
          byId: catalogue.byId,
          findings: findings.filter((f) => f.tenant_id === tenant.id),
          waivers: { active: [], expired: [] },
          sources: [],
        });
        expect(report.findings.length).toBeGreaterThan(0);
        for (const f of report.findings) expect(expected.get(f.resource_id), `${tenant.id} got ${f.resource_id}`).toBe(tenant.id);
        const others = rows.filter((r) => r.tenant_id !== tenant.id).map((r) => r.id);
        const text = JSON.stringify(report);
        for (const id of others) expect(text.includes(`"${id}"`)).toBe(false);
      }
    } finally {
      store.close();
    }
  });
});
