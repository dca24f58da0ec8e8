// Whose a policy state is: the tenant of the resource it evaluates when that resource was collected (tag rules and
// all), else the tenancy rules over its id; and each tenant's counts hold its own states only.
import { describe, expect, it } from 'vitest';
import { policyStateRow } from '../src/collectors/policy/policy-state.js';
import { armToRow } from '../src/collectors/resource-graph/arm-row.js';
import { parseConfig } from '../src/config.js';
import type { PolicyStateRow, ResourceRow } from '../src/model.js';
import { Store } from '../src/store.js';
import { tenantResolver } from '../src/tenancy.js';

const SHARED = '5a5a5a5a-0000-4000-8000-000000000005';
const BETA_SUB = '6b6b6b6b-0000-4000-8000-000000000006';
const tenancy = tenantResolver(
  parseConfig(
    `version: 1
tenants:
  - { id: alpha, name: Alpha Bank, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod] }
  - { id: beta, name: Beta Credit, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${BETA_SUB}] }
`,
    'c.yaml',
  ),
);

const id = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;
const resource = (rid: string, tags: Record<string, string> = {}): ResourceRow => {
  const row = armToRow(
    { id: rid, name: rid.split('/').pop(), type: 'Microsoft.Storage/storageAccounts', tags, properties: {} },
    'file',
  )!;
  row.tenant_id = tenancy.resourceTenant(row);
  return row;
};
const state = (resourceId: string, complianceState: string): PolicyStateRow =>
  policyStateRow({ resourceId, complianceState, policyDefinitionGroupNames: ['PCI_DSS_v4.0.1_7.2.5'] })!;

describe('policy state tenancy', () => {
  it('follows the collected resource first, then the rules over the id; counts stay per tenant', async () => {
    const store = await Store.open(':memory:');
    try {
      await store.beginRun({ runId: 'r1', mode: 'nightly', toolVersion: 'test', configSha256: null });
      // In alpha's resource group, but tagged for beta: the resource is beta's, and so are its states.
      const tagged = id(SHARED, 'rg-alpha-prod', 'stbetaexport');
      await store.appendResources('r1', [
        resource(id(SHARED, 'rg-alpha-prod', 'stalpha1')),
        resource(tagged, { CustomerID: 'beta' }),
      ]);
      await store.appendPolicyStates('r1', [
        state(id(SHARED, 'rg-alpha-prod', 'stalpha1'), 'Compliant'),
        // Ids as Policy Insights writes them, in another case than the collected resource's.
        state(tagged.replace('stbetaexport', 'STBETAEXPORT'), 'NonCompliant'),
        // Not collected: the rules over the id decide (resource group pattern; owned subscription; none).
        state(id(SHARED, 'rg-alpha-prod', 'stalphanew'), 'NonCompliant'),
        state(`/subscriptions/${BETA_SUB}`, 'Compliant'),
        state(id(SHARED, 'rg-hub', 'sthub'), 'NonCompliant'),
      ]);
      await store.stampPolicyTenants('r1', (subject) => tenancy.subjectTenant(subject));
      await store.scopeToRun('r1');
      const owners = await store.read<{ resource_id: string; tenant_id: string | null }>(
        'select resource_id, tenant_id from policy_states order by resource_id',
      );
      expect(owners.map((o) => `${o.resource_id.split('/').pop()} ${o.tenant_id}`)).toEqual([
        'stalpha1 alpha',
        'stalphanew alpha',
        'stbetaexport beta',
        'sthub null',
        `${BETA_SUB} beta`,
      ]);
      expect(await store.policyGroupCounts('r1')).toEqual([
        { tenant_id: 'alpha', group_name: 'pci_dss_v4.0.1_7.2.5', compliant: 1, non_compliant: 1, not_evaluated: 0 },
        { tenant_id: 'beta', group_name: 'pci_dss_v4.0.1_7.2.5', compliant: 1, non_compliant: 1, not_evaluated: 0 },
        { tenant_id: null, group_name: 'pci_dss_v4.0.1_7.2.5', compliant: 0, non_compliant: 1, not_evaluated: 0 },
      ]);
    } finally {
      store.close();
    }
  });
});
