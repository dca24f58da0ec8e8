// Children collected and none found is not children never collected: ARM collection documents tell them apart.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { CollectorEvent } from '../src/collectors/collector.js';
import { collectionOf } from '../src/collectors/resource-graph/arm-row.js';
import { ResourceGraphFileSource } from '../src/collectors/resource-graph/file-source.js';
import { compline } from './support/cli.js';

const SUB = '/subscriptions/6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
const RG = `${SUB}/resourceGroups/rg-acme-prod`;
const serverId = (name: string) => `${RG}/providers/Microsoft.Sql/servers/${name}`;
const server = (name: string) => ({
  id: serverId(name),
  name,
  type: 'Microsoft.Sql/servers',
  location: 'eastus',
  properties: { publicNetworkAccess: 'Disabled', minimalTlsVersion: '1.2' },
});
const rule = (srv: string, name: string, start: string, end: string) => ({
  id: `${serverId(srv)}/firewallRules/${name}`,
  name,
  type: 'Microsoft.Sql/servers/firewallRules',
  properties: { startIpAddress: start, endIpAddress: end },
});

function estate(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-children-'));
  mkdirSync(join(dir, 'estate'));
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, 'estate', name), JSON.stringify(doc));
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
sources:
  resource_graph: { mode: file, paths: [estate] }
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return dir;
}

/** `status: reason` of one check's finding on one server, from the tenant's report. */
function verdicts(dir: string, runId: string, check: string): Record<string, string> {
  const report = JSON.parse(readFileSync(join(dir, 'out', runId, 'acme', 'report.json'), 'utf8')) as {
    findings: { check_id: string; resource_id: string; status: string; reason: string }[];
  };
  return Object.fromEntries(
    report.findings
      .filter((f) => f.check_id === check)
      .map((f) => [f.resource_id.slice(f.resource_id.lastIndexOf('/') + 1), `${f.status}: ${f.reason}`]),
  );
}

describe('compline run over children collected, collected and none, and not collected', () => {
  it('a server with a collection document is judged on its rules, one with an empty document passes, one without errors', async () => {
    const dir = estate({
      'servers.json': { data: [server('sql-rules'), server('sql-none'), server('sql-unlisted')] },
      'sql-rules-firewall.json': {
        id: `${serverId('sql-rules')}/firewallRules`,
        value: [rule('sql-rules', 'AllowAllWindowsAzureIps', '0.0.0.0', '0.0.0.0')],
      },
      'sql-none-firewall.json': { id: `${serverId('sql-none')}/firewallRules`, value: [] },
    });
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(0);
    const runId = JSON.parse(r.stdout).run_id as string;

    expect(verdicts(dir, runId, 'sql-no-azure-services-firewall-rule')).toEqual({
      'sql-rules':
        'fail: firewall rule /subscriptions/6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60/resourcegroups/rg-acme-prod/providers/microsoft.sql/servers/sql-rules/firewallrules/allowallwindowsazureips (0.0.0.0–0.0.0.0) admits every Azure service',
      'sql-none': 'pass: no server firewall rules',
      'sql-unlisted': 'error: firewall rules of this server were not collected',
    });
    expect(verdicts(dir, runId, 'sql-no-allow-all-firewall')).toEqual({
      'sql-rules': 'pass: none of 1 firewall rules spans 16777216 or more addresses',
      'sql-none': 'pass: no server firewall rules',
      'sql-unlisted': 'error: firewall rules of this server were not collected',
    });

    // The store keeps what vouched for each parent, stamped with the parent's tenant.
    const instance = await DuckDBInstance.create(join(dir, 'store/compline.duckdb'));
    const connection = await instance.connect();
    try {
      const rows = (
        await connection.runAndReadAll(
          `select tenant_id, parent_id, child_type, source, scope from child_coverage where run_id = '${runId}' order by parent_id`,
        )
      ).getRowObjectsJson();
      expect(rows).toEqual([
        {
          tenant_id: 'acme',
          parent_id: serverId('sql-none').toLowerCase(),
          child_type: 'microsoft.sql/servers/firewallrules',
          source: 'resource-graph',
          scope: 'file:estate/sql-none-firewall.json',
        },
        {
          tenant_id: 'acme',
          parent_id: serverId('sql-rules').toLowerCase(),
          child_type: 'microsoft.sql/servers/firewallrules',
          source: 'resource-graph',
          scope: 'file:estate/sql-rules-firewall.json',
        },
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

describe('which documents vouch for a whole collection', () => {
  async function replay(doc: unknown): Promise<CollectorEvent[]> {
    const dir = mkdtempSync(join(tmpdir(), 'compline-children-'));
    writeFileSync(join(dir, 'doc.json'), JSON.stringify(doc));
    const events: CollectorEvent[] = [];
    for await (const e of new ResourceGraphFileSource(['doc.json'], dir).collect()) events.push(e);
    return events;
  }
  const kinds = (events: CollectorEvent[]) => events.map((e) => (e.kind === 'status' ? `status ${e.status.status}` : e.kind));

  it('a collection document without a nextLink: its rows, then the parent it covers', async () => {
    const events = await replay({
      id: `${serverId('sql1')}/firewallRules`,
      value: [rule('sql1', 'office', '203.0.113.10', '203.0.113.20')],
      nextLink: null,
    });
    expect(kinds(events)).toEqual(['rows', 'coverage', 'status ok']);
    expect(events[1]).toEqual({
      kind: 'coverage',
      rows: [
        {
          parent_id: serverId('sql1').toLowerCase(),
          child_type: 'microsoft.sql/servers/firewallrules',
          source: 'resource-graph',
          scope: 'file:doc.json',
        },
      ],
    });
  });

  it('a page with a nextLink, a plain ARM list, a rows-without-type page: no coverage', async () => {
    const paged = {
      id: `${serverId('sql1')}/firewallRules`,
      value: [rule('sql1', 'a', '1.2.3.4', '1.2.3.4')],
      nextLink: 'https://management.azure.com/next',
    };
    expect(kinds(await replay(paged))).toEqual(['rows', 'status partial']);
    expect(kinds(await replay({ value: [rule('sql1', 'a', '1.2.3.4', '1.2.3.4')] }))).toEqual(['rows', 'status ok']);
    const untyped = { id: `${serverId('sql1')}/firewallRules`, value: [{ id: `${serverId('sql1')}/firewallRules/a` }] };
    expect(kinds(await replay(untyped))).toEqual(['status partial']);
  });
});

describe('which parent and child type a collection path lists', () => {
  it.each([
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1/firewallRules',
      {
        parent_id: '/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/servers/sql1',
        child_type: 'microsoft.sql/servers/firewallrules',
      },
    ],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1/providers/Microsoft.Insights/diagnosticSettings',
      {
        parent_id: '/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1',
        child_type: 'microsoft.insights/diagnosticsettings',
      },
    ],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1/databases/master/providers/Microsoft.Insights/diagnosticSettings/',
      {
        parent_id: '/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/servers/sql1/databases/master',
        child_type: 'microsoft.insights/diagnosticsettings',
      },
    ],
    [
      '/subscriptions/s/providers/Microsoft.Authorization/roleAssignments',
      { parent_id: '/subscriptions/s', child_type: 'microsoft.authorization/roleassignments' },
    ],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw/flowLogs',
      {
        parent_id: '/subscriptions/s/resourcegroups/rg/providers/microsoft.network/networkwatchers/nw',
        child_type: 'microsoft.network/networkwatchers/flowlogs',
      },
    ],
    // a resource, not a collection; no providers at all; a management group scope; an empty segment
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1/firewallRules/r1', null],
    ['/subscriptions/s/resourceGroups', null],
    ['/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleAssignments', null],
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql//sql1/firewallRules', null],
  ])('%s', (path, expected) => {
    expect(collectionOf(path)).toEqual(expected);
  });
});
