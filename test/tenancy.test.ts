// Tenant ownership, first match wins: the tenant tag, a resource-group pattern, a dedicated cluster, an owned
// subscription. Every case is a resource that two rules would give to different tenants.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { armToRow } from '../src/collectors/resource-graph/arm-row.js';
import { parseConfig } from '../src/config.js';
import { tenantResolver } from '../src/tenancy.js';
import { compline } from './support/cli.js';

const SUB_ALPHA = '1a1a1a1a-0000-4000-8000-000000000001';
const SUB_BETA = '2b2b2b2b-0000-4000-8000-000000000002';
const SUB_NOBODY = '3c3c3c3c-0000-4000-8000-000000000003';

// Subscriptions and cluster names in the config are written in another case than the estate uses.
const CONFIG = `version: 1
tenants:
  - { id: alpha, name: Alpha Bank, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod, dev], subscriptions: [${SUB_ALPHA.toUpperCase()}], clusters: [aks-alpha] }
  - { id: beta, name: Beta Credit, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_BETA}], clusters: [AKS-Beta] }
`;

const arm = (
  sub: string,
  rg: string,
  type: 'Microsoft.KeyVault/vaults' | 'Microsoft.ContainerService/managedClusters',
  name: string,
  tags: Record<string, string> = {},
) => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`,
  name,
  type,
  location: 'westeurope',
  tags,
  properties: {},
});
const vault = (sub: string, rg: string, name: string, tags?: Record<string, string>) =>
  arm(sub, rg, 'Microsoft.KeyVault/vaults', name, tags);
const cluster = (sub: string, rg: string, name: string, tags?: Record<string, string>) =>
  arm(sub, rg, 'Microsoft.ContainerService/managedClusters', name, tags);

/** [what it proves, ARM resource, owner (null: the platform section)]. */
const CASES: [string, ReturnType<typeof arm>, string | null][] = [
  ['tag beats resource group', vault(SUB_NOBODY, 'rg-alpha-prod', 'kv-tag-rg', { CustomerID: 'beta' }), 'beta'],
  ['tag beats dedicated cluster', cluster(SUB_NOBODY, 'rg-shared', 'aks-alpha', { CustomerID: 'beta' }), 'beta'],
  ['tag beats subscription', vault(SUB_ALPHA, 'rg-shared', 'kv-tag-sub', { CustomerID: 'beta' }), 'beta'],
  ['resource group beats dedicated cluster', cluster(SUB_NOBODY, 'rg-alpha-prod', 'aks-beta'), 'alpha'],
  ['resource group beats subscription', vault(SUB_ALPHA, 'rg-beta-prod', 'kv-rg-sub'), 'beta'],
  ['dedicated cluster beats subscription', cluster(SUB_ALPHA, 'rg-shared', 'aks-beta'), 'beta'],
  ['owned subscription when nothing else matches', vault(SUB_BETA, 'rg-shared', 'kv-sub'), 'beta'],
  [
    'a tag naming no tenant falls through to the resource group',
    vault(SUB_BETA, 'rg-alpha-dev', 'kv-stray-tag', { CustomerID: 'gamma' }),
    'alpha',
  ],
  [
    'a tag naming no tenant, and no other rule: platform',
    vault(SUB_NOBODY, 'rg-shared', 'kv-orphan', { CustomerID: 'gamma' }),
    null,
  ],
  ['an environment the tenant lacks does not match its pattern', vault(SUB_ALPHA, 'rg-beta-dev', 'kv-beta-dev'), 'alpha'],
  ['a vault named like a dedicated cluster is not the cluster', vault(SUB_ALPHA, 'rg-shared', 'aks-beta'), 'alpha'],
  ['tag key and value in any case', vault(SUB_ALPHA, 'rg-alpha-prod', 'kv-tag-case', { customerid: 'BETA' }), 'beta'],
  ['resource group in any case', vault(SUB_ALPHA, 'RG-Beta-PROD', 'kv-rg-case'), 'beta'],
  ['cluster name in any case', cluster(SUB_NOBODY, 'rg-other', 'Aks-BETA'), 'beta'],
  ['subscription id in any case', vault(SUB_ALPHA.toUpperCase(), 'rg-shared', 'kv-sub-case'), 'alpha'],
];

describe('tenantResolver: first match wins', () => {
  const resolver = tenantResolver(parseConfig(CONFIG, 'compline.yaml'));

  it.each(CASES)('%s', (_what, resource, owner) => {
    expect(resolver.resourceTenant(armToRow(resource, 'file')!)).toBe(owner);
  });

  it('reads the subscription as given when the row was not lower-cased', () => {
    const row = { tags: null, resource_group: null, subscription_id: SUB_BETA.toUpperCase(), type: 'x', name: 'x' };
    expect(resolver.resourceTenant(row)).toBe('beta');
  });
});

describe('compline run files each resource under its owner', () => {
  it('every case lands in its owner’s report.json and in no other', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-tenancy-'));
    mkdirSync(join(dir, 'estate'));
    writeFileSync(join(dir, 'estate', 'page.json'), JSON.stringify({ data: CASES.map(([, r]) => r) }));
    writeFileSync(
      join(dir, 'compline.yaml'),
      `${CONFIG}sources:\n  resource_graph: { mode: file, paths: [estate] }\nsigner: { demo: true }\noutput: { dir: out, store: store.duckdb }\n`,
    );
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.stderr).toBe('');
    const runDir = join(dir, 'out', JSON.parse(r.stdout).run_id);
    expect(readdirSync(runDir).sort()).toEqual(['_platform', 'alpha', 'beta']);
    const holders = new Map<string, Set<string>>();
    for (const section of ['alpha', 'beta', '_platform']) {
      const report = JSON.parse(readFileSync(join(runDir, section, 'report.json'), 'utf8'));
      for (const f of report.findings as { resource_id: string }[]) {
        const held = holders.get(f.resource_id) ?? new Set<string>();
        held.add(section);
        holders.set(f.resource_id, held);
      }
      if (section === '_platform') {
        const unassigned = (report.unassigned as { id: string }[]).map((u) => u.id);
        expect(unassigned).toEqual(CASES.filter(([, , owner]) => owner === null).map(([, res]) => res.id.toLowerCase()));
      }
    }
    for (const [what, resource, owner] of CASES) {
      expect([...(holders.get(resource.id.toLowerCase()) ?? [])], what).toEqual([owner ?? '_platform']);
    }
  });
});
