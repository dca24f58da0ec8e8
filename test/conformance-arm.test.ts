// Conformance over real ARM responses (../shared/real/b_arm_resources): missing keys must never pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CollectorEvent } from '../src/collectors/collector.js';
import { armToRow, parentOf } from '../src/collectors/resource-graph/arm-row.js';
import { ResourceGraphFileSource } from '../src/collectors/resource-graph/file-source.js';
import { evaluate } from '../src/engine.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { FIXTURE_RUN } from './support/fixture-store.js';
import { exampleBody, itReal } from './support/real-data.js';

const catalogue = await loadCatalogue();

const arm = (file: string) => `b_arm_resources/${file}`;

async function verdictsFor(file: string): Promise<Record<string, string>> {
  const row = armToRow(exampleBody(arm(file)), 'file')!;
  row.tenant_id = 't1';
  const store = await Store.open(':memory:');
  try {
    await store.beginRun({ runId: FIXTURE_RUN, mode: 'nightly', toolVersion: 'test', configSha256: null });
    await store.appendResources(FIXTURE_RUN, [row]);
    const { findings } = await evaluate(store, catalogue.checks, {
      runId: FIXTURE_RUN,
      tenantIds: ['t1'],
      waivers: [],
      params: {},
      today: '2026-11-25',
    });
    return Object.fromEntries(findings.filter((f) => f.resource_id === row.id).map((f) => [f.check_id, f.status]));
  } finally {
    store.close();
  }
}

describe('real ARM responses', () => {
  itReal(
    [arm('specs_storage_StorageAccountGetProperties.json')],
    'storage account GET example: HTTPS-only fails, minimum TLS and public blob access error (absent), network default Allow fails',
    async () => {
      const v = await verdictsFor('specs_storage_StorageAccountGetProperties.json');
      expect(v).toMatchObject({
        'storage-https-only': 'fail',
        'storage-min-tls': 'error',
        'storage-no-public-blob-access': 'error',
        'storage-default-network-deny': 'fail',
      });
      expect(Object.values(v)).not.toContain('pass');
    },
  );

  itReal(
    [arm('specs_keyvault_getVault.json')],
    'key vault GET example: purge protection errors (absent), public network access fails',
    async () => {
      const v = await verdictsFor('specs_keyvault_getVault.json');
      expect(v).toMatchObject({ 'kv-purge-protection': 'error', 'kv-public-network-access': 'fail' });
    },
  );

  itReal([arm('specs_aks_ManagedClustersGet.json')], 'AKS GET example: RBAC fails', async () => {
    const v = await verdictsFor('specs_aks_ManagedClustersGet.json');
    expect(v['aks-rbac-enabled']).toBe('fail');
  });

  itReal(
    [arm('specs_sql_ServerGet.json')],
    'SQL server GET example: public network access fails, minimum TLS errors (absent)',
    async () => {
      const v = await verdictsFor('specs_sql_ServerGet.json');
      expect(v).toMatchObject({ 'sql-public-network-access': 'fail', 'sql-min-tls': 'error' });
    },
  );

  itReal(
    [arm('specs_sql_ServerGet.json')],
    'SQL server GET example alone: firewall checks error, since no firewall rule was collected for the server',
    async () => {
      const v = await verdictsFor('specs_sql_ServerGet.json');
      expect(v).toMatchObject({ 'sql-no-allow-all-firewall': 'error', 'sql-no-azure-services-firewall-rule': 'error' });
    },
  );

  itReal([arm('specs_network_NetworkSecurityGroupGet.json')], 'NSG GET example: port 80 open to any is not SSH/RDP', async () => {
    const v = await verdictsFor('specs_network_NetworkSecurityGroupGet.json');
    expect(v['nsg-no-internet-ssh-rdp']).toBe('pass');
  });

  itReal(
    [arm('specs_resourcegraph_ResourcesFirstPageQuery.json')],
    'a Resource Graph page with a skip token replays as partial, never as the whole estate',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'compline-rg-'));
      writeFileSync(
        join(dir, 'page1.json'),
        JSON.stringify(exampleBody(arm('specs_resourcegraph_ResourcesFirstPageQuery.json'))),
      );
      const events: CollectorEvent[] = [];
      for await (const e of new ResourceGraphFileSource(['.'], dir).collect()) events.push(e);
      const rows = events.flatMap((e) => (e.kind === 'rows' && e.table === 'resources' ? e.rows : []));
      expect(rows.map((r) => r.type)).toEqual([
        'microsoft.compute/disks',
        'microsoft.automation/automationaccounts',
        'microsoft.automation/automationaccounts/runbooks',
      ]);
      expect(rows[2]?.parent_id).toBe(
        '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourcegroups/rg2/providers/microsoft.automation/automationaccounts/testaa',
      );
      const status = events.find((e) => e.kind === 'status');
      expect(status?.kind === 'status' && status.status).toMatchObject({
        scope: 'file:page1.json',
        status: 'partial',
        error: 'page has a skip token: 383 rows not in the file',
        rows: 3,
      });
    },
  );
});

describe('what a resource attaches to', () => {
  it.each([
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv', null],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql/databases/db',
      '/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/servers/sql',
    ],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/microsoft.insights/diagnosticSettings/d',
      '/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv',
    ],
    ['/subscriptions/s/providers/Microsoft.Security/pricings/VirtualMachines', '/subscriptions/s'],
    ['/subscriptions/s/providers/microsoft.insights/diagnosticSettings/activity', '/subscriptions/s'],
    ['/subscriptions/s/resourceGroups/rg', null],
  ])('%s → %s', (id, parent) => {
    expect(parentOf(id)).toBe(parent);
  });
});
