// `compline run` with Azure Policy states, end to end: the built CLI, the real SDK clients and credential, and the
// local HTTPS Azure server. Each requirement's status combines the tenant's checks with the tenant's policy states
// (a non-compliant state fails a requirement whose checks pass); a tenant never sees another's states; a policy page
// that never comes makes the run partial (exit 4) and the requirements it could change `error`; no secret anywhere.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import AjvModule from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { reportJsonSchema } from '../src/reports/report-schema.js';
import type { TenantReport } from '../src/reports/tenant-report.js';
import { liveConfig, liveEstate, SUB_A, SUB_B } from './support/azure-estate.js';
import { type AzureServer, pagedEstate, type Reply, startAzureServer } from './support/azure-server.js';
import { complineAsync } from './support/cli.js';
import { policyState, policyStatesEstate } from './support/policy-estate.js';
import { allOutput, runReports } from './support/run-output.js';

const Ajv = AjvModule.default;
const SECRET = 'planted~Secret.5e4d3c2b1a09';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

// Built-in definitions of the PCI DSS v4.0.1 initiative, with (some of) the groups it puts them in.
const DEFENDER_FOR_CONTAINERS = {
  definition: '1c988dd6-ade4-430f-a608-2a3e5b0a6d38',
  groups: [
    'PCI_DSS_v4.0.1_1.4.4',
    'PCI_DSS_v4.0.1_2.2.1',
    'PCI_DSS_v4.0.1_5.2.1',
    'PCI_DSS_v4.0.1_5.2.2',
    'PCI_DSS_v4.0.1_5.3.2',
  ],
};
const STORAGE_PUBLIC_ACCESS = {
  definition: '4fa4b6c0-31ca-4c0d-b10d-24b96f62a751',
  groups: [
    'PCI_DSS_v4.0.1_1.4.4',
    'PCI_DSS_v4.0.1_7.2.1',
    'PCI_DSS_v4.0.1_7.2.4',
    'PCI_DSS_v4.0.1_7.2.5',
    'PCI_DSS_v4.0.1_7.3.1',
  ],
};
const storage = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;
/** Storage accounts Resource Graph did not return (created since): their states are their subscription owner's. */
const ACME_LOGS = storage(SUB_A, 'rg-acme-prod', 'stacmelogs');
const ZETA_DATA = storage(SUB_B, 'rg-zeta-prod', 'stzetadata');

/** acme: a storage account open to public access. zeta: one closed, and Defender for Containers on. */
function states(): Record<string, Record<string, unknown>[]> {
  return {
    [SUB_A]: [policyState(SUB_A, ACME_LOGS, { ...STORAGE_PUBLIC_ACCESS, state: 'NonCompliant' })],
    [SUB_B]: [
      policyState(SUB_B, `/subscriptions/${SUB_B}`, { ...DEFENDER_FOR_CONTAINERS, state: 'Compliant' }),
      policyState(SUB_B, ZETA_DATA, { ...STORAGE_PUBLIC_ACCESS, state: 'Compliant' }),
    ],
  };
}

async function workspace(policy: ReturnType<typeof policyStatesEstate>, deadline = 30): Promise<string> {
  server = await startAzureServer({ secret: SECRET, graph: pagedEstate(liveEstate(), 5), arm: policy.arm, echoSecret: true });
  const dir = mkdtempSync(join(tmpdir(), 'compline-policy-run-'));
  writeFileSync(
    join(dir, 'compline.yaml'),
    liveConfig(server.url, deadline, ['resource_graph: { mode: live }', 'policy: { mode: live }']),
  );
  return dir;
}

const run = (dir: string) =>
  complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
    env: { COMPLINE_TEST_SECRET: SECRET },
  });

const requirement = (r: TenantReport, id: string) => r.frameworks['pci-dss-4.0.1']!.requirements.find((q) => q.id === id)!;

async function policyTenants(dir: string): Promise<string[]> {
  const db = await DuckDBInstance.create(join(dir, 'store', 'compline.duckdb'));
  const c = await db.connect();
  const rows = (await c.runAndReadAll('select resource_id, tenant_id from policy_states order by all')).getRows();
  c.closeSync();
  db.closeSync();
  return rows.map(([id, tenant]) => `${String(id).split('/').pop()} ${tenant}`);
}

describe('compline run with Azure Policy states', () => {
  it("combines each tenant's checks with its own policy states: a non-compliant state fails what the checks pass", async () => {
    const dir = await workspace(policyStatesEstate(states()));
    const r = await run(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', sources: { ok: 4, partial: 0, failed: 0 } });
    const { acme, zeta } = runReports<TenantReport>(dir) as { acme: TenantReport; zeta: TenantReport };
    // Owners: the checks pass it; Azure Policy finds acme's storage account open to the public.
    expect(requirement(acme, '7.2.5')).toMatchObject({
      status: 'fail',
      decided_by: 'azure-policy',
      checks_status: 'pass_partial',
      azure_policy: {
        group: 'PCI_DSS_v4.0.1_7.2.5',
        status: 'non_compliant',
        counts: { compliant: 0, non_compliant: 1, not_evaluated: 0 },
      },
    });
    // zeta's own states only: its closed storage account, not acme's open one.
    expect(requirement(zeta, '7.2.5')).toMatchObject({
      status: 'pass_partial',
      decided_by: 'both',
      azure_policy: { status: 'compliant', counts: { compliant: 1, non_compliant: 0, not_evaluated: 0 } },
    });
    // Compliant Defender for Containers does not hide the failing Defender plan check.
    expect(requirement(zeta, '5.2.1')).toMatchObject({
      status: 'fail',
      decided_by: 'checks',
      checks_status: 'fail',
      azure_policy: { status: 'compliant' },
    });
    expect(requirement(acme, '9.5.1')).toMatchObject({
      status: 'manual',
      decided_by: 'manual',
      azure_policy: { status: 'no_states' },
    });
    expect(await policyTenants(dir)).toEqual(['stacmelogs acme', `${SUB_B} zeta`, 'stzetadata zeta']);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(reportJsonSchema());
    expect(validate(acme), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('a policy page that never comes, or a subscription refused, makes the run partial: exit 4, error where a state could change the verdict, no secret', async () => {
    const echo: Reply = { status: 400, body: { error: { code: 'BadRequest', message: `bad client_secret=${SECRET}` } } };
    const many = {
      [SUB_A]: [
        policyState(SUB_A, ACME_LOGS, { ...STORAGE_PUBLIC_ACCESS, state: 'NonCompliant' }),
        policyState(SUB_A, storage(SUB_A, 'rg-acme-prod', 'stacmeweb'), { ...STORAGE_PUBLIC_ACCESS, state: 'Compliant' }),
      ],
    };
    const policy = policyStatesEstate(many, {
      pageSize: 1,
      faults: { [`${SUB_A}#2`]: [{ fault: 'hang' }], [`${SUB_B}#1`]: [echo] },
    });
    const dir = await workspace(policy, 2);
    const started = Date.now();
    const r = await run(dir);
    // Bounded: the hang would last until the test timed out; the CLI on a loaded 2-core machine takes seconds.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^compline: run partial: 2 of 4 source scopes incomplete \\(policy partial for subscription:${SUB_A}: page 2: no answer within 2 s; …\\)$`,
        'm',
      ),
    );
    const { acme, zeta } = runReports<TenantReport>(dir) as { acme: TenantReport; zeta: TenantReport };
    // The non-compliant state that came stands; a requirement the missing page could have failed is an error.
    expect(requirement(acme, '7.2.5')).toMatchObject({ status: 'fail', decided_by: 'azure-policy' });
    expect(requirement(acme, '9.5.1')).toMatchObject({
      status: 'error',
      decided_by: 'azure-policy',
      azure_policy: {
        status: 'incomplete',
        reason: `source policy partial for subscription:${SUB_A}: page 2: no answer within 2 s`,
      },
    });
    expect(requirement(zeta, '9.5.1').azure_policy.reason).toBe(
      `source policy failed for subscription:${SUB_B}: first page: HTTP 400 BadRequest: bad client_secret=[redacted]`,
    );
    // Each subscription is its owner's scope: the other tenant's report does not name it.
    expect(JSON.stringify(zeta)).not.toContain(SUB_A);
    expect(JSON.stringify(acme)).not.toContain(SUB_B);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(allOutput(dir)).not.toContain(SECRET);
  });
});
