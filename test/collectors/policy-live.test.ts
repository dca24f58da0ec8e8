// The live Azure Policy source through the real SDK client and credential against a local HTTPS server: every page
// of each subscription's latest states is followed (by POST, as Policy Insights requires), throttling and failures
// are waited out when they pass, and when they do not the subscription is partial or failed with the reason, in
// bounded time and without the secret.
import { afterEach, describe, expect, it } from 'vitest';
import { azureConnection } from '../../src/collectors/azure/connection.js';
import { livePolicy, type PolicyLiveOptions, PolicyLiveSource } from '../../src/collectors/policy/live-source.js';
import type { PolicyStateRow } from '../../src/model.js';
import { liveEstate, SUB_A, SUB_B, testAzureSettings } from '../support/azure-estate.js';
import { type AzureServer, pagedEstate, type Reply, startAzureServer, TEST_CLIENT } from '../support/azure-server.js';
import { byScope, drainCollector } from '../support/collector-events.js';
import { PCI_INITIATIVE, type PolicyCall, policyState, policyStatesEstate, type StateOptions } from '../support/policy-estate.js';

const SECRET = 'planted~Secret.7c6b5a4d3e2f';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const vault = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`;
const SECURE_TRANSFER = '404c3081-a854-4457-ae30-26a93ef643f9';
const OTHER_INITIATIVE = '/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8';
const CUSTOM_ASSIGNMENT = `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/policyAssignments/bank-tagging`;

/** SUB_A: five PCI states, one of another initiative, one of the configured extra assignment. SUB_B: two PCI states. */
function states(): Record<string, Record<string, unknown>[]> {
  const pci = (sub: string, rg: string, name: string, state: StateOptions['state']) =>
    policyState(sub, vault(sub, rg, name), { definition: SECURE_TRANSFER, groups: ['PCI_DSS_v4.0.1_3.6.1'], state });
  return {
    [SUB_A]: [
      pci(SUB_A, 'rg-acme-prod', 'kv-acme-1', 'Compliant'),
      pci(SUB_A, 'rg-acme-prod', 'kv-acme-2', 'NonCompliant'),
      pci(SUB_A, 'rg-acme-prod', 'kv-acme-3', 'Compliant'),
      pci(SUB_A, 'rg-acme-prod', 'kv-acme-4', 'Compliant'),
      pci(SUB_A, 'rg-acme-prod', 'kv-acme-5', 'Compliant'),
      policyState(SUB_A, vault(SUB_A, 'rg-acme-prod', 'kv-acme-1'), {
        definition: SECURE_TRANSFER,
        groups: ['CIS_Azure_2.0.0_3.1'],
        state: 'NonCompliant',
        initiative: OTHER_INITIATIVE,
        assignment: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/policyAssignments/cis`,
      }),
      policyState(SUB_A, `/subscriptions/${SUB_A}`, {
        definition: '96670d01-0a4d-4649-9c89-2d3abc0a5025',
        groups: [],
        state: 'NonCompliant',
        initiative: '',
        assignment: CUSTOM_ASSIGNMENT,
      }),
    ],
    [SUB_B]: [pci(SUB_B, 'rg-zeta-prod', 'kv-zeta-1', 'Compliant'), pci(SUB_B, 'rg-zeta-prod', 'kv-zeta-2', 'Unknown')],
  };
}

const settings = testAzureSettings;

async function source(
  policy: ReturnType<typeof policyStatesEstate>,
  opts: Partial<PolicyLiveOptions> = {},
): Promise<PolicyLiveSource> {
  server = await startAzureServer({ secret: SECRET, graph: pagedEstate(liveEstate()), arm: policy.arm, echoSecret: true });
  return new PolicyLiveSource({
    connection: azureConnection(settings(server.url), { TEST_AZURE_SECRET: SECRET }),
    subscriptions: [SUB_A, SUB_B],
    initiatives: [PCI_INITIATIVE],
    assignments: [],
    concurrency: 4,
    deadlineMs: 5000,
    retry: { maxRetries: 2, retryDelayInMs: 20 },
    ...opts,
  });
}

async function drain(src: PolicyLiveSource) {
  const { policyStates: rows, statuses } = await drainCollector(src);
  return { rows, statuses };
}

const names = (rows: PolicyStateRow[]) => rows.map((r) => `${r.resource_id.split('/').pop()} ${r.compliance_state}`).sort();
const pages = (calls: PolicyCall[], sub: string) =>
  calls.filter((c) => c.subscription === sub).map((c) => `${c.method} ${c.page}`);

describe('live Azure Policy source', () => {
  it('follows every page by POST with its skip token, asking only for the initiatives and columns it needs', async () => {
    const policy = policyStatesEstate(states(), { pageSize: 2 });
    const src = await source(policy, { assignments: [CUSTOM_ASSIGNMENT] });
    const { rows, statuses } = await drain(src);
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: { status: 'ok', error: null, rows: 6 },
      [`subscription:${SUB_B}`]: { status: 'ok', error: null, rows: 2 },
    });
    expect(pages(policy.calls, SUB_A)).toEqual(['POST 1', 'POST 2', 'POST 3']);
    expect(names(rows)).toEqual([
      `${SUB_A} NonCompliant`,
      'kv-acme-1 Compliant',
      'kv-acme-2 NonCompliant',
      'kv-acme-3 Compliant',
      'kv-acme-4 Compliant',
      'kv-acme-5 Compliant',
      'kv-zeta-1 Compliant',
      'kv-zeta-2 Unknown',
    ]);
    const first = policy.calls[0]!;
    expect(first.filter).toBe(
      `PolicySetDefinitionId eq '${PCI_INITIATIVE.toLowerCase()}' or PolicyAssignmentId eq '${CUSTOM_ASSIGNMENT.toLowerCase()}'`,
    );
    expect(first.select).toContain('PolicyDefinitionGroupNames');
    // $top caps the whole result, not a page: it is never sent.
    expect(policy.calls.every((c) => c.top === null)).toBe(true);
    const lookback = first.at - Date.parse(first.from!);
    expect(lookback).toBeGreaterThan(6.9 * 86_400_000);
    expect(lookback).toBeLessThan(7.1 * 86_400_000);
    expect(rows.find((r) => r.resource_id.endsWith('/kv-acme-2'))).toEqual({
      resource_id: vault(SUB_A, 'rg-acme-prod', 'kv-acme-2').toLowerCase(),
      policy_assignment_id: `/subscriptions/${SUB_A}/providers/microsoft.authorization/policyassignments/pci-dss-v401`,
      policy_definition_id: `/providers/microsoft.authorization/policydefinitions/${SECURE_TRANSFER}`,
      policy_set_definition_id: PCI_INITIATIVE.toLowerCase(),
      group_names: ['PCI_DSS_v4.0.1_3.6.1'],
      compliance_state: 'NonCompliant',
      evaluated_at: '2026-11-24T03:12:45.123Z',
    });
  });

  it('waits out a 429 (Retry-After) and a 500, then has every state', async () => {
    const policy = policyStatesEstate(states(), {
      pageSize: 2,
      faults: {
        [`${SUB_A}#2`]: [{ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests' } } }],
        [`${SUB_B}#1`]: [{ status: 500, body: { error: { code: 'InternalServerError', message: 'try again' } } }],
      },
    });
    const src = await source(policy);
    const started = Date.now();
    const { rows, statuses } = await drain(src);
    expect(statuses.map((s) => [s.scope, s.status, s.rows])).toEqual(
      expect.arrayContaining([
        [`subscription:${SUB_A}`, 'ok', 5],
        [`subscription:${SUB_B}`, 'ok', 2],
      ]),
    );
    expect(rows).toHaveLength(7);
    const second = policy.calls.filter((c) => c.subscription === SUB_A && c.page === 2);
    expect(second).toHaveLength(2);
    expect(second[1]!.at - second[0]!.at).toBeGreaterThanOrEqual(900);
    expect(pages(policy.calls, SUB_B)).toEqual(['POST 1', 'POST 1']);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('a page that never comes leaves its subscription partial at the deadline, keeping the states before it', async () => {
    const policy = policyStatesEstate(states(), { pageSize: 2, faults: { [`${SUB_A}#2`]: [{ fault: 'hang' }] } });
    const src = await source(policy, { deadlineMs: 1500 });
    const started = Date.now();
    const { rows, statuses } = await drain(src);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: { status: 'partial', error: 'page 2: no answer within 1.5 s', rows: 2 },
      [`subscription:${SUB_B}`]: { status: 'ok', error: null, rows: 2 },
    });
    expect(names(rows).filter((n) => n.startsWith('kv-acme'))).toEqual(['kv-acme-1 Compliant', 'kv-acme-2 NonCompliant']);
  });

  it('a page that keeps failing past the retries leaves its subscription partial, never short', async () => {
    const boom: Reply = { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'busy' } } };
    const policy = policyStatesEstate(states(), { pageSize: 2, faults: { [`${SUB_A}#3`]: [boom, boom, boom] } });
    const { statuses } = await drain(await source(policy));
    expect(byScope(statuses)[`subscription:${SUB_A}`]).toEqual({
      status: 'partial',
      error: 'page 3: HTTP 503 ServiceUnavailable: busy',
      rows: 4,
    });
  });

  it('a subscription the credential may not read (403) fails, with ARM’s reason; the others are collected', async () => {
    const denied: Reply = {
      status: 403,
      body: {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${TEST_CLIENT}' does not have authorization to perform action 'Microsoft.PolicyInsights/policyStates/queryResults/read' over scope '/subscriptions/${SUB_B}'.`,
        },
      },
    };
    const policy = policyStatesEstate(states(), { faults: { [`${SUB_B}#1`]: [denied] } });
    const { statuses } = await drain(await source(policy));
    const scopes = byScope(statuses);
    expect(scopes[`subscription:${SUB_A}`]).toEqual({ status: 'ok', error: null, rows: 5 });
    expect(scopes[`subscription:${SUB_B}`]).toEqual({
      status: 'failed',
      error: `first page: HTTP 403 AuthorizationFailed: The client '${TEST_CLIENT}' does not have authorization to perform action 'Microsoft.PolicyInsights/policyStates/queryResults/read' over scope '/subscriptions/${SUB_B}'.`,
      rows: 0,
    });
  });

  it('never lets the secret out of a failing answer that echoes it', async () => {
    const echo: Reply = { status: 400, body: { error: { code: 'BadRequest', message: `client_secret=${SECRET}` } } };
    const policy = policyStatesEstate(states(), { faults: { [`${SUB_A}#1`]: [echo] } });
    const { statuses } = await drain(await source(policy));
    expect(byScope(statuses)[`subscription:${SUB_A}`]?.error).toBe('first page: HTTP 400 BadRequest: client_secret=[redacted]');
    expect(JSON.stringify(statuses)).not.toContain(SECRET);
  });

  it('from the config: discovers the subscriptions through Resource Graph and always asks for the PCI DSS initiative', async () => {
    const policy = policyStatesEstate(states());
    server = await startAzureServer({ secret: SECRET, graph: pagedEstate(liveEstate()), arm: policy.arm });
    const src = livePolicy(
      { ...settings(server.url), subscriptions: { discover: true } },
      { initiatives: [OTHER_INITIATIVE], assignments: [] },
      { TEST_AZURE_SECRET: SECRET },
    );
    await src.prepare();
    const { statuses, rows } = await drain(src);
    expect(statuses.map((s) => s.scope).sort()).toEqual([`subscription:${SUB_A}`, `subscription:${SUB_B}`]);
    expect(server.calls[0]).toMatchObject({ table: 'ResourceContainers', subscriptions: [] });
    expect(policy.calls[0]!.filter).toBe(
      `PolicySetDefinitionId eq '${PCI_INITIATIVE.toLowerCase()}' or PolicySetDefinitionId eq '${OTHER_INITIATIVE.toLowerCase()}'`,
    );
    expect(rows).toHaveLength(8);
  });
});
