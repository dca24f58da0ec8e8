// The demo estate's Kubernetes objects (demo/estate/kubernetes) give exactly the verdicts its DESIGN.md lists, and each
// Kubernetes check at least one pass and one fail. Tenants are stamped as the row contract says, from demo/compline.yaml.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluate } from '../src/engine.js';
import type { Finding } from '../src/model.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { ROOT } from './support/cli.js';
import { FIXTURE_RUN, loadTables } from './support/fixture-store.js';
import { type K8sRow, k8sRows } from './support/k8s-rows.js';

const DIR = join(ROOT, 'demo/estate/kubernetes');
const catalogue = await loadCatalogue();
const checks = catalogue.checks.filter((c) => c.tables.includes('k8s_objects'));

interface DemoConfig {
  tenants: { id: string; clusters?: string[] }[];
  mapping: { shared_clusters: string[]; namespace_label: string };
}
const config = parse(readFileSync(join(ROOT, 'demo/compline.yaml'), 'utf8')) as DemoConfig;

/** A dedicated cluster's objects are its tenant's; a shared cluster's namespaced objects their namespace label's tenant. */
function demoRows(): K8sRow[] {
  const dedicated = new Map(config.tenants.flatMap((t) => (t.clusters ?? []).map((c) => [c, t.id] as const)));
  const tenants = new Set(config.tenants.map((t) => t.id));
  return readdirSync(DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((cluster) => {
      const files = readdirSync(join(DIR, cluster.name)).filter((f) => f.endsWith('.yaml'));
      const rows = files.flatMap((f) =>
        k8sRows(readFileSync(join(DIR, cluster.name, f), 'utf8'), { cluster: cluster.name, tenant: () => null }),
      );
      const labelled = new Map(
        rows.filter((r) => r.kind === 'Namespace').map((r) => [r.name, r.labels[config.mapping.namespace_label]]),
      );
      return rows.map((r) => {
        const owner = r.kind === 'Namespace' ? labelled.get(r.name) : r.namespace && labelled.get(r.namespace);
        const tenant = dedicated.get(cluster.name) ?? (owner && tenants.has(owner) ? owner : null);
        return { ...r, tenant_id: tenant };
      });
    });
}

/** The table rows of DESIGN.md: | check | subject | tenant | verdict | why |. */
function designed(): { check: string; subject: string; tenant: string; verdict: string }[] {
  const text = readFileSync(join(DIR, 'DESIGN.md'), 'utf8');
  return [...text.matchAll(/^\| (k8s-[a-z-]+) \| `([^`]+)` \| ([a-z_]+) \| (pass|fail|error) \|/gm)].map((m) => ({
    check: m[1]!,
    subject: m[2]!,
    tenant: m[3]!,
    verdict: m[4]!,
  }));
}

const line = (check: string, subject: string, tenant: string | null, verdict: string) =>
  `${check} ${subject} ${tenant ?? '_platform'} ${verdict}`;

describe('demo Kubernetes estate', () => {
  let findings: Finding[];
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(':memory:');
    await store.beginRun({ runId: FIXTURE_RUN, mode: 'nightly', toolVersion: 'test', configSha256: null });
    await loadTables(store, { k8s_objects: demoRows() as unknown as Record<string, unknown>[] });
    ({ findings } = await evaluate(store, checks, {
      runId: FIXTURE_RUN,
      tenantIds: config.tenants.map((t) => t.id),
      waivers: [],
      params: {},
      today: '2026-01-15',
    }));
  });
  afterAll(() => store?.close());

  it('gives exactly the verdicts DESIGN.md lists', () => {
    const actual = findings.map((f) => line(f.check_id, f.resource_id, f.tenant_id, f.status)).sort();
    const expected = designed()
      .map((d) => line(d.check, d.subject, d.tenant === '_platform' ? null : d.tenant, d.verdict))
      .sort();
    expect(actual).toEqual(expected);
  });

  it.each(checks.map((c) => c.id))('%s has a passing and a failing subject', (id) => {
    const statuses = new Set(findings.filter((f) => f.check_id === id).map((f) => f.status));
    expect([...statuses].filter((s) => s === 'pass' || s === 'fail').sort()).toEqual(['fail', 'pass']);
  });
});
