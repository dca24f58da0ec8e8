// Subjects that are not resource rows (a subscription, a resource group) still have an owner by the tenancy rules:
// a check that gives such a subject another tenant, or none, must not put it silently in the platform section.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { evaluate } from '../src/engine.js';
import type { CheckMeta } from '../src/model.js';
import { loadCatalogue } from '../src/rules.js';
import { tenantResolver } from '../src/tenancy.js';
import { compline } from './support/cli.js';
import { FIXTURE_RUN, fixtureStore } from './support/fixture-store.js';

const SUB_T1 = '7a7a7a7a-0000-4000-8000-000000000007';
const SUB_SHARED = '8b8b8b8b-0000-4000-8000-000000000008';
const TENANTS = `version: 1
tenants:
  - { id: t1, name: T1, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_T1}] }
  - { id: t2, name: T2, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
`;

describe('a check subject outside the resources table', () => {
  it('given no tenant although the tenancy rules name its owner: an error filed under the owner', async () => {
    const owners = (await loadCatalogue()).byId.get('subscription-owner-count')!;
    const orphaning: CheckMeta = {
      ...owners,
      sql: `select * from (values ('/subscriptions/${SUB_T1}', null::varchar, 'pass', '2 Owners', null::json),
                                  ('/subscriptions/${SUB_T1}/resourcegroups/rg-t2-prod', 't1', 'pass', 'ok', null::json),
                                  ('/subscriptions/${SUB_SHARED}', null::varchar, 'fail', '5 Owners', null::json))
              t(resource_id, tenant_id, status, reason, evidence)`,
    };
    const store = await fixtureStore({ resources: [] });
    try {
      const { findings } = await evaluate(store, [orphaning], {
        runId: FIXTURE_RUN,
        tenantIds: ['t1', 't2'],
        subjectTenant: (id) => tenantResolver(parseConfig(TENANTS, 'compline.yaml')).subjectTenant(id),
        waivers: [],
        params: {},
        today: '2026-11-25',
      });
      expect(findings.map((f) => [f.resource_id, f.tenant_id, f.status, f.reason])).toEqual([
        [`/subscriptions/${SUB_T1}`, 't1', 'error', 'check reported tenant none for a subject of tenant t1'],
        [
          `/subscriptions/${SUB_T1}/resourcegroups/rg-t2-prod`,
          't2',
          'error',
          'check reported tenant t1 for a subject of tenant t2',
        ],
        // No rule claims the shared subscription: the platform's, as the check said.
        [`/subscriptions/${SUB_SHARED}`, null, 'fail', '5 Owners'],
      ]);
    } finally {
      store.close();
    }
  });

  it('compline run files an owned subscription holding another tenant’s resource under its owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-subject-'));
    mkdirSync(join(dir, 'estate'));
    const vault = (name: string, tags: Record<string, string>) => ({
      id: `/subscriptions/${SUB_T1}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/${name}`,
      name,
      type: 'Microsoft.KeyVault/vaults',
      tags,
      properties: { enablePurgeProtection: true },
    });
    writeFileSync(
      join(dir, 'estate', 'page.json'),
      JSON.stringify({ data: [vault('kv-t1', {}), vault('kv-t2', { CustomerID: 't2' })] }),
    );
    writeFileSync(
      join(dir, 'compline.yaml'),
      `${TENANTS}sources:\n  resource_graph: { mode: file, paths: [estate] }\nsigner: { demo: true }\noutput: { dir: out, store: store.duckdb }\n`,
    );
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    const runId = JSON.parse(r.stdout).run_id;
    const subjectIn = (section: string) =>
      (
        JSON.parse(readFileSync(join(dir, 'out', runId, section, 'report.json'), 'utf8')).findings as {
          resource_id: string;
          check_id: string;
        }[]
      )
        .filter((f) => f.resource_id === `/subscriptions/${SUB_T1}`)
        .map((f) => f.check_id);
    expect(subjectIn('_platform')).toEqual([]);
    expect(subjectIn('t2')).toEqual([]);
    expect(subjectIn('t1')).toContain('activity-log-retention');
  });
});
