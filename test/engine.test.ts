// Engine semantics over real DuckDB: fail closed on incomplete sources, unknown plan values, waivers, tenant guard.
import { describe, expect, it } from 'vitest';
import type { Waiver } from '../src/config.js';
import { type EvaluationContext, evaluate } from '../src/engine.js';
import type { CheckMeta } from '../src/model.js';
import { loadCatalogue } from '../src/rules.js';
import { evaluateStored } from './support/evaluate-stored.js';
import { FIXTURE_RUN, fixtureStore } from './support/fixture-store.js';

const purge = (await loadCatalogue()).byId.get('kv-purge-protection')!;
const vault = (id: string, props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'microsoft.keyvault/vaults',
  properties: props,
  ...extra,
});
const ctx = (over: Partial<EvaluationContext> = {}): EvaluationContext => ({
  runId: FIXTURE_RUN,
  tenantIds: ['t1', 't2'],
  waivers: [],
  params: {},
  today: '2026-11-25',
  ...over,
});

const source = (status: string, scope: string, tenant: string | null = null) => ({
  source: 'resource-graph',
  scope,
  status,
  error: status === 'ok' ? null : 'HTTP 429 after 3 retries',
  rows: 10,
  tenant_id: tenant,
});

// The gate's engine (JavaScript over the query rows) and the run's (DuckDB storing the findings) give the same verdicts.
for (const [name, engine] of [
  ['in JavaScript', evaluate],
  ['stored by DuckDB', evaluateStored],
] as const)
  describe(`engine ${name}`, () => {
    const verdicts = async (
      rows: Record<string, unknown>[],
      c: EvaluationContext,
      extra: Record<string, Record<string, unknown>[]> = {},
      check: CheckMeta = purge,
    ) => {
      const store = await fixtureStore({ resources: rows, ...extra });
      try {
        return await engine(store, [check], c);
      } finally {
        store.close();
      }
    };

    describe('fail closed', () => {
      it('a partial file source turns every dependent verdict into error naming the source, never pass', async () => {
        const r = await verdicts(
          [vault('kv-on', { enablePurgeProtection: true }), vault('kv-off', { enablePurgeProtection: false })],
          ctx(),
          { source_status: [source('ok', 'file:a.json'), source('partial', 'file:b.json')] },
        );
        const byId = Object.fromEntries(r.findings.map((f) => [f.resource_id, f]));
        expect(byId['kv-on']?.status).toBe('error');
        expect(byId['kv-on']?.reason).toMatch(/^source resource-graph partial for file:b\.json: HTTP 429 after 3 retries/);
        expect(byId['kv-off']?.status).toBe('error');
        expect(r.findings.filter((f) => f.status === 'pass')).toEqual([]);
        // The missing part of the estate is itself reported, to every tenant and the platform section.
        const scopeErrors = r.findings.filter((f) => f.resource_id === 'source://resource-graph/file:b.json');
        expect(scopeErrors.map((f) => f.tenant_id)).toEqual(['t1', 't2', null]);
        expect(r.incompleteSources.map((s) => s.scope)).toEqual(['file:b.json']);
      });

      it('a failed subscription taints only that subscription', async () => {
        const r = await verdicts(
          [
            vault('kv-a', { enablePurgeProtection: true }, { subscription_id: 'sub-a' }),
            vault('kv-b', { enablePurgeProtection: true }, { subscription_id: 'sub-b' }),
          ],
          ctx(),
          { source_status: [source('failed', 'subscription:sub-b', 't1')] },
        );
        const status = Object.fromEntries(r.findings.map((f) => [f.resource_id, f.status]));
        expect(status).toEqual({ 'kv-a': 'pass', 'kv-b': 'error', 'source://resource-graph/subscription:sub-b': 'error' });
      });

      it('a source that does not feed the check leaves it alone', async () => {
        const r = await verdicts([vault('kv-on', { enablePurgeProtection: true })], ctx(), {
          source_status: [{ ...source('failed', 'subscription:x'), source: 'cost' }],
        });
        expect(r.findings.map((f) => f.status)).toEqual(['pass']);
      });

      it('a plan value known only after apply is unknown, naming the attribute', async () => {
        const r = await verdicts(
          [
            vault(
              'plan://azurerm_key_vault.a',
              {},
              { origin: 'plan', plan_address: 'azurerm_key_vault.a', unknown_paths: ['properties.enablePurgeProtection'] },
            ),
            vault(
              'plan://azurerm_key_vault.b',
              { enablePurgeProtection: true },
              { origin: 'plan', plan_address: 'azurerm_key_vault.b', unknown_paths: ['properties.vaultUri'] },
            ),
          ],
          ctx(),
        );
        const byId = Object.fromEntries(r.findings.map((f) => [f.resource_id, f]));
        expect(byId['plan://azurerm_key_vault.a']).toMatchObject({
          status: 'unknown',
          reason: 'not known at plan time (known only after apply or marked sensitive): properties.enablePurgeProtection',
        });
        expect(byId['plan://azurerm_key_vault.b']?.status).toBe('pass');
      });

      it('a check that reports a resource under another tenant is an error, filed under the real owner', async () => {
        const liar: CheckMeta = { ...purge, sql: purge.sql.replace('tenant_id,', "'t2' as tenant_id,") };
        const r = await verdicts([vault('kv-on', { enablePurgeProtection: true })], ctx(), {}, liar);
        expect(r.findings[0]).toMatchObject({ tenant_id: 't1', status: 'error' });
        expect(r.findings[0]?.reason).toMatch(/reported tenant t2 for a resource of tenant t1/);
      });

      it('a check that reports no tenant for an owned resource is an error under the owner, not a platform finding', async () => {
        const orphaning: CheckMeta = { ...purge, sql: purge.sql.replace('tenant_id,', 'null::varchar as tenant_id,') };
        const r = await verdicts(
          [
            vault('kv-t1', { enablePurgeProtection: true }),
            vault('kv-platform', { enablePurgeProtection: true }, { tenant_id: null }),
          ],
          ctx(),
          {},
          orphaning,
        );
        const byId = Object.fromEntries(r.findings.map((f) => [f.resource_id, f]));
        expect(byId['kv-t1']).toMatchObject({
          tenant_id: 't1',
          status: 'error',
          reason: 'check reported tenant none for a resource of tenant t1',
        });
        // A resource no tenant owns is the platform's: null is the right answer there.
        expect(byId['kv-platform']).toMatchObject({ tenant_id: null, status: 'pass' });
      });

      it('a status outside pass/fail/error/unknown is an error; a query cannot waive', async () => {
        const odd = (status: string): CheckMeta => ({
          ...purge,
          sql: `select id as resource_id, tenant_id, '${status}' as status, '' as reason, null as evidence from resources`,
        });
        for (const status of ['ok', 'waived']) {
          const r = await verdicts([vault('kv-on', {})], ctx(), {}, odd(status));
          expect(r.findings[0]).toMatchObject({
            status: 'error',
            reason: `check returned status "${status}"; expected pass, fail, error or unknown`,
          });
        }
      });
    });

    describe('waivers', () => {
      const waiver = (over: Partial<Waiver>): Waiver => ({
        id: 'W-1',
        check: 'kv-purge-protection',
        resource: '*/vaults/kv-off*',
        reason: 'migration',
        approver: 'ciso@example.com',
        ticket: 'CHG-1',
        expires: '2026-12-31',
        ...over,
      });
      const rows = [
        vault('/s/x/providers/microsoft.keyvault/vaults/kv-off-1', { enablePurgeProtection: false }),
        vault('/s/x/providers/microsoft.keyvault/vaults/kv-off-2', { enablePurgeProtection: false }, { tenant_id: 't2' }),
        vault('/s/x/providers/microsoft.keyvault/vaults/kv-other', { enablePurgeProtection: false }),
      ];

      it('an active waiver marks matching failures waived; the finding stays visible with the waiver named', async () => {
        const r = await verdicts(rows, ctx({ waivers: [waiver({})] }));
        const status = Object.fromEntries(r.findings.map((f) => [f.resource_id.split('/').pop(), [f.status, f.waiver_id]]));
        expect(status).toEqual({ 'kv-off-1': ['waived', 'W-1'], 'kv-off-2': ['waived', 'W-1'], 'kv-other': ['fail', null] });
        expect(r.findings.find((f) => f.waiver_id)?.reason).toMatch(
          /waived by W-1: migration; approved by ciso@example\.com, CHG-1, until 2026-12-31/,
        );
        expect(r.expiredWaivers).toEqual([]);
      });

      it('a tenant-scoped waiver covers that tenant only', async () => {
        const r = await verdicts(rows, ctx({ waivers: [waiver({ tenant: 't2' })] }));
        expect(r.findings.filter((f) => f.status === 'waived').map((f) => f.tenant_id)).toEqual(['t2']);
      });

      it('applies through the last day of expires, and stops the day after', async () => {
        const lastDay = await verdicts(rows, ctx({ waivers: [waiver({})], today: '2026-12-31' }));
        expect(lastDay.findings.filter((f) => f.status === 'waived')).toHaveLength(2);
        const after = await verdicts(rows, ctx({ waivers: [waiver({})], today: '2027-01-01' }));
        expect(after.findings.filter((f) => f.status === 'waived')).toEqual([]);
        expect(after.expiredWaivers).toEqual([{ waiver: waiver({}), matched: 2 }]);
      });

      it('never waives missing evidence', async () => {
        const r = await verdicts(
          [vault('/s/x/providers/microsoft.keyvault/vaults/kv-off-9', {})],
          ctx({ waivers: [waiver({})] }),
        );
        expect(r.findings[0]?.status).toBe('error');
      });
    });

    describe('a check that breaks on the data', () => {
      it('withholds its verdicts as one error per tenant instead of aborting the run', async () => {
        const broken: CheckMeta = {
          ...purge,
          sql: `select id as resource_id, tenant_id, 'pass' as status, '' as reason, (properties->>'$.x')::int::json as evidence from resources`,
        };
        const r = await verdicts([vault('kv-1', { x: 'not a number' })], ctx(), {}, broken);
        expect(r.findings.map((f) => [f.resource_id, f.tenant_id, f.status])).toEqual([
          ['check://kv-purge-protection', 't1', 'error'],
          ['check://kv-purge-protection', 't2', 'error'],
          ['check://kv-purge-protection', null, 'error'],
        ]);
        expect(r.findings[0]?.reason).toMatch(/^check query failed: Conversion Error/);
      });
    });

    describe('unknown paths inside lists', () => {
      it('an unknown field of a list element makes missing evidence unknown only when the check reads that field', async () => {
        const hostEncryption: CheckMeta = { ...purge, reads: ['properties.agentPoolProfiles[*].enableEncryptionAtHost'] };
        // The purge flag is absent, so the query withholds its verdict (error); the unknown paths decide what that means.
        const row = (id: string, unknown: string[]) =>
          vault(id, {}, { origin: 'plan', plan_address: id, unknown_paths: unknown });
        const r = await verdicts(
          [
            row('read-field', ['properties.agentPoolProfiles[*].enableEncryptionAtHost']),
            row('whole-list', ['properties.agentPoolProfiles']),
            row('other-field', ['properties.agentPoolProfiles[*].vmSize']),
          ],
          ctx(),
          {},
          hostEncryption,
        );
        expect(Object.fromEntries(r.findings.map((f) => [f.resource_id, f.status]))).toEqual({
          'read-field': 'unknown',
          'whole-list': 'unknown',
          'other-field': 'error',
        });
      });
    });

    describe('unknown values never hide a verdict decided on known ones', () => {
      it('a fail or pass the query decided stands beside an unknown read value; only missing evidence becomes unknown', async () => {
        const plan = (id: string, props: Record<string, unknown>) =>
          vault(id, props, { origin: 'plan', plan_address: id, unknown_paths: ['properties.enablePurgeProtection'] });
        const r = await verdicts(
          [
            plan('known-off', { enablePurgeProtection: false }),
            plan('known-on', { enablePurgeProtection: true }),
            plan('unknown', {}),
          ],
          ctx(),
        );
        expect(Object.fromEntries(r.findings.map((f) => [f.resource_id, [f.status, f.reason]]))).toEqual({
          'known-off': ['fail', 'purge protection is disabled'],
          'known-on': ['pass', 'purge protection is enabled'],
          unknown: [
            'unknown',
            'not known at plan time (known only after apply or marked sensitive): properties.enablePurgeProtection',
          ],
        });
      });

      it('an incomplete source still withholds a verdict as error, not unknown', async () => {
        const r = await verdicts(
          [
            vault(
              'kv-plan',
              {},
              { origin: 'plan', plan_address: 'kv-plan', unknown_paths: ['properties.enablePurgeProtection'] },
            ),
          ],
          ctx(),
          { source_status: [source('partial', 'file:b.json')] },
        );
        expect(r.findings.find((f) => f.resource_id === 'kv-plan')?.status).toBe('error');
      });
    });

    describe('reproducible reasons', () => {
      it('names the same route whichever order equally long routes were collected in', async () => {
        const audit = (await loadCatalogue()).byId.get('sql-audit-retention')!;
        const route = (id: string, workspace: string) => ({
          id,
          type: 'microsoft.insights/diagnosticsettings',
          parent_id: 'sql-a/databases/master',
          properties: { workspaceId: workspace, logs: [{ category: 'SQLSecurityAuditEvents', enabled: true }] },
        });
        const common = [
          { id: 'sql-a', type: 'microsoft.sql/servers', properties: {} },
          {
            id: 'sql-a-audit',
            type: 'microsoft.sql/servers/auditingsettings',
            parent_id: 'sql-a',
            properties: { state: 'Enabled', isAzureMonitorTargetEnabled: true },
          },
          { id: 'law-1', type: 'microsoft.operationalinsights/workspaces', properties: { retentionInDays: 400 } },
          { id: 'law-2', type: 'microsoft.operationalinsights/workspaces', properties: { retentionInDays: 400 } },
        ];
        const routes = [route('diag-b', 'law-2'), route('diag-a', 'law-1')];
        const reasons = [];
        for (const order of [routes, [...routes].reverse()]) {
          const r = await verdicts([...common, ...order], ctx({ tenantIds: [] }), {}, audit);
          const f = r.findings.find((x) => x.resource_id === 'sql-a');
          expect(f?.status).toBe('pass');
          reasons.push(f?.reason);
        }
        expect(reasons[0]).toBe(reasons[1]);
        expect(reasons[0]).toContain('workspace law-1 through diagnostic setting diag-a');
      });
    });
  });
