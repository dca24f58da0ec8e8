// Resource Graph `resourcechanges`, live, through the real SDK client and credential against the local HTTPS server:
// every page is followed, each subscription gets its status, and a page that never comes leaves them partial.
import { afterEach, describe, expect, it } from 'vitest';
import { liveResourceChanges } from '../../src/collectors/resource-graph/resource-changes-live.js';
import type { ResourceChangeRow } from '../../src/model.js';
import { SUB_A, SUB_B, testAzureSettings } from '../support/azure-estate.js';
import { type AzureServer, pagedEstate, startAzureServer, withFaults } from '../support/azure-server.js';

const SECRET = 'planted~Secret.1a2b3c4d';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const change = (sub: string, n: number, by: string | null) => {
  const target = `/subscriptions/${sub}/resourceGroups/rg-acme-prod/providers/Microsoft.Storage/storageAccounts/st${n}`;
  return {
    id: `${target}/providers/Microsoft.Resources/changes/0858400000000${n}`,
    type: 'microsoft.resources/changes',
    subscriptionId: sub,
    properties: {
      targetResourceId: target,
      changeType: 'Update',
      changeAttributes: { timestamp: `2026-12-0${n}T10:00:00Z`, changedBy: by, clientType: 'Azure Portal', operation: 'x/write' },
      changes: { 'properties.minimumTlsVersion': { previousValue: 'TLS1_2', newValue: 'TLS1_0' } },
    },
  };
};
const CHANGES = [change(SUB_A, 1, 'alice@acme.example'), change(SUB_A, 2, null), change(SUB_B, 3, 'sp@acme.example')];

async function drain(graph: Parameters<typeof startAzureServer>[0]['graph']) {
  server = await startAzureServer({ secret: SECRET, graph, echoSecret: true });
  const settings = { ...testAzureSettings(server.url), deadline_seconds: 2 };
  const collector = liveResourceChanges(settings, { TEST_AZURE_SECRET: SECRET });
  const rows: ResourceChangeRow[] = [];
  const statuses: [string, string, string | null, number][] = [];
  for await (const e of collector.collect()) {
    if (e.kind === 'rows' && e.table === 'resource_changes') rows.push(...e.rows);
    else if (e.kind === 'status') statuses.push([e.status.scope, e.status.status, e.status.error, e.status.rows]);
  }
  return { rows, statuses: statuses.sort() };
}

describe('resourcechanges, live', () => {
  it('follows every page and keeps who, when and which properties, never the values', async () => {
    const { rows, statuses } = await drain(pagedEstate({ resourcechanges: CHANGES }, 2));
    expect(server!.calls.map((c) => [c.table, c.page])).toEqual([
      ['resourcechanges', 1],
      ['resourcechanges', 2],
    ]);
    expect(rows.map((r) => [r.resource_id.split('/').pop(), r.changed_by, r.changed_at, r.changed_properties])).toEqual([
      ['st1', 'alice@acme.example', '2026-12-01T10:00:00.000Z', ['properties.minimumTlsVersion']],
      ['st2', null, '2026-12-02T10:00:00.000Z', ['properties.minimumTlsVersion']],
      ['st3', 'sp@acme.example', '2026-12-03T10:00:00.000Z', ['properties.minimumTlsVersion']],
    ]);
    expect(JSON.stringify(rows)).not.toContain('TLS1_0');
    expect(statuses).toEqual([
      [`subscription:${SUB_A}`, 'ok', null, 2],
      [`subscription:${SUB_B}`, 'ok', null, 1],
    ]);
  });

  it('a page that never comes leaves the batch partial with the reason', async () => {
    const { rows, statuses } = await drain(
      withFaults(pagedEstate({ resourcechanges: CHANGES }, 2), {
        'resourcechanges#2': [{ fault: 'hang' }, { fault: 'hang' }, { fault: 'hang' }, { fault: 'hang' }],
      }),
    );
    expect(rows.length).toBe(2);
    expect(statuses).toEqual([
      [`subscription:${SUB_A}`, 'partial', 'page 2: no answer within 2 s', 2],
      [`subscription:${SUB_B}`, 'partial', 'page 2: no answer within 2 s', 0],
    ]);
  }, 30_000);
});
