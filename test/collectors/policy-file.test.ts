// Azure Policy states replayed from files: the recorded Policy Insights answer maps to rows exactly; a document that
// says it is not the whole result, records without a resource, and files that are not query results are never
// taken for a complete source.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyFileSource } from '../../src/collectors/policy/file-source.js';
import { drainCollector } from '../support/collector-events.js';
import { exampleBody, itReal } from '../support/real-data.js';

const RECORDED = 'c_policy_states/specs_PolicyStates_QueryResourceGroupScope.json';

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-policy-'));
  for (const [name, doc] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc));
  }
  return dir;
}

async function replay(dir: string, paths: string[] = ['.']) {
  const { policyStates: rows, statuses } = await drainCollector(new PolicyFileSource(paths, dir));
  return { rows, statuses };
}

const record = (resourceId: string | undefined, state: string) => ({
  resourceId,
  policyAssignmentId: '/subscriptions/s1/providers/Microsoft.Authorization/policyAssignments/pci',
  policySetDefinitionId: '/providers/Microsoft.Authorization/policySetDefinitions/a06d5deb-24aa-4991-9d58-fa7563154e31',
  policyDefinitionGroupNames: ['PCI_DSS_v4.0.1_4.2.1'],
  complianceState: state,
  timestamp: '2026-11-24T03:00:00Z',
});

describe('Azure Policy states from files', () => {
  itReal([RECORDED], "the recorded query results: every state, as Policy Insights wrote it, and the file's status", async () => {
    const { rows, statuses } = await replay(folder({ 'states.json': exampleBody(RECORDED) }));
    const sa =
      '/subscriptions/fffedd8f-ffff-fffd-fffd-fffed2f84852/resourcegroups/myresourcegroup/providers/microsoft.storage/storageaccounts/mysa1';
    const common = {
      resource_id: sa,
      policy_assignment_id:
        '/subscriptions/fffedd8f-ffff-fffd-fffd-fffed2f84852/providers/microsoft.authorization/policyassignments/3f3c4330183b4e218fe6fd29',
      policy_set_definition_id:
        '/subscriptions/fffedd8f-ffff-fffd-fffd-fffed2f84852/providers/microsoft.authorization/policysetdefinitions/3e3807c1-65c9-49e0-a406-82d8ae3e338c',
      group_names: ['myGroup'],
      evaluated_at: '2019-10-09T18:42:42.000Z',
    };
    const definition = (name: string) =>
      `/subscriptions/fffedd8f-ffff-fffd-fffd-fffed2f84852/providers/microsoft.authorization/policydefinitions/${name}`;
    expect(rows).toEqual([
      { ...common, policy_definition_id: definition('24813039-7534-408a-9842-eb99f45721b1'), compliance_state: 'NonCompliant' },
      { ...common, policy_definition_id: definition('3e3807c1-65c9-49e0-a406-82d8ae3e3682'), compliance_state: 'Compliant' },
    ]);
    // "@odata.nextLink": null says the answer is whole.
    expect(statuses).toEqual([{ source: 'policy', scope: 'file:states.json', status: 'ok', error: null, rows: 2 }]);
  });

  it('a page with an @odata.nextLink is partial: its states count, the rest was not seen', async () => {
    const page = {
      '@odata.nextLink':
        'https://management.azure.com/subscriptions/s1/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults?$skiptoken=abc',
      value: [record('/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a', 'NonCompliant')],
    };
    const { rows, statuses } = await replay(folder({ 'page1.json': page }));
    expect(rows.map((r) => r.compliance_state)).toEqual(['NonCompliant']);
    expect(statuses).toEqual([
      {
        source: 'policy',
        scope: 'file:page1.json',
        status: 'partial',
        error: 'results have an @odata.nextLink: later pages not in the file',
        rows: 1,
      },
    ]);
  });

  it('reads `az policy state list` arrays; a record without resourceId makes its file partial; an older record says isCompliant only', async () => {
    const legacy = { resourceId: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Sql/servers/q', isCompliant: false };
    const { rows, statuses } = await replay(
      folder({ 'cli/states.json': [record('/subscriptions/s1', 'Exempt'), record(undefined, 'Compliant'), legacy] }),
    );
    expect(rows.map((r) => [r.resource_id, r.compliance_state])).toEqual([
      ['/subscriptions/s1', 'Exempt'],
      ['/subscriptions/s1/resourcegroups/rg/providers/microsoft.sql/servers/q', 'NonCompliant'],
    ]);
    expect(rows[1]).toMatchObject({ group_names: null, evaluated_at: null, policy_set_definition_id: null });
    expect(statuses.map((s) => [s.scope, s.status, s.error, s.rows])).toEqual([
      ['file:cli/states.json', 'partial', '1 records without resourceId', 2],
    ]);
  });

  it('a file that is not query results, one that is not JSON, a missing path and an empty folder each fail their scope', async () => {
    const dir = folder({ 'states/graph.json': { data: [] }, 'states/broken.json': '{"value": [' });
    mkdirSync(join(dir, 'empty'));
    const { rows, statuses } = await replay(dir, ['states', 'missing', 'empty']);
    expect(rows).toEqual([]);
    expect(statuses.map((s) => [s.scope, s.status, s.error])).toEqual([
      ['file:states/broken.json', 'failed', 'not JSON: truncated JSON (the input ends before the document does)'],
      ['file:states/graph.json', 'failed', 'not Policy Insights query results (no value array)'],
      ['file:missing', 'failed', 'cannot read missing (ENOENT)'],
      ['file:empty', 'failed', 'no .json files in empty'],
    ]);
  });
});
