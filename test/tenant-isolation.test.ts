// Tenant isolation over generated estates, end to end: `compline run` groups findings per tenant, and each
// report.json it writes holds exactly the findings of that tenant's resources, and nothing of anyone else's.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { compline } from './support/cli.js';

/** Small deterministic PRNG so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A subscription the first tenant owns outright (config `subscriptions`); the others are shared. */
const OWNED_SUB = '5e5e5e5e-0000-4000-8000-000000000005';

interface Estate {
  tenants: string[];
  resources: Record<string, unknown>[];
  /**
   * Lower-case subject id → the owner the generator intended (null: platform). Subscription-level checks
   * judge `/subscriptions/<id>`, which belongs to the one tenant owning all of its resources.
   */
  owner: Map<string, string | null>;
}

function generate(seed: number): Estate {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const tenants = Array.from({ length: 4 + Math.floor(rand() * 4) }, (_, i) => `tenant_${i}`);
  const owner = new Map<string, string | null>();
  const resources = Array.from({ length: 300 }, (_, i) => {
    const bySub = rand() < 0.1;
    const who = bySub ? tenants[0]! : rand() < 0.15 ? null : pick(tenants);
    // Ownership arrives by resource group, by tag (sometimes with a misleading resource group) or by an owned
    // subscription; unowned resources sometimes carry a tag naming no tenant.
    const byTag = !bySub && who !== null && rand() < 0.4;
    const rg = who && !byTag && !bySub ? `rg-${who}-${pick(['dev', 'prod'])}` : `rg-shared-${i % 7}`;
    const tags = byTag ? { CustomerID: who! } : who === null && rand() < 0.3 ? { CustomerID: 'tenant_99' } : {};
    const type = pick([
      'Microsoft.KeyVault/vaults',
      'Microsoft.Storage/storageAccounts',
      'Microsoft.Network/networkSecurityGroups',
    ]);
    const sub = bySub ? OWNED_SUB : `00000000-0000-0000-0000-00000000000${i % 3}`;
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/r${i}`;
    owner.set(id.toLowerCase(), who);
    const subject = `/subscriptions/${sub}`;
    owner.set(subject, owner.has(subject) && owner.get(subject) !== who ? null : who);
    return {
      id,
      type,
      name: `r${i}`,
      tags,
      properties: { enablePurgeProtection: rand() < 0.5, supportsHttpsTrafficOnly: rand() < 0.5, securityRules: [] },
    };
  });
  return { tenants, resources, owner };
}

async function storedFindings(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll('select count(*)::integer as n from findings')).getRowObjectsJson();
    return Number(rows[0]?.n);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

interface ReportFinding {
  check_id: string;
  resource_id: string;
  tenant_id: string | null;
}

describe.each([1, 2, 3, 4, 5])('generated estate, seed %i', (seed) => {
  it('each report.json of the run holds exactly the findings of its tenant’s resources', async () => {
    const { tenants, resources, owner } = generate(seed);
    const dir = mkdtempSync(join(tmpdir(), 'compline-isolation-'));
    mkdirSync(join(dir, 'estate'));
    writeFileSync(join(dir, 'estate', 'page.json'), JSON.stringify({ data: resources }));
    writeFileSync(
      join(dir, 'compline.yaml'),
      `version: 1
tenants:
${tenants.map((t, i) => `  - { id: ${t}, name: ${t}, tier: standard, frameworks: [pci-dss-4.0.1, sox-itgc], environments: [dev, prod]${i === 0 ? `, subscriptions: [${OWNED_SUB}]` : ''} }`).join('\n')}
sources:
  resource_graph: { mode: file, paths: [estate] }
signer: { demo: true }
output: { dir: out, store: store.duckdb }
`,
    );
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.stderr).toBe('');
    const runDir = join(dir, 'out', JSON.parse(r.stdout).run_id);
    const sections = [...tenants, '_platform'];
    expect(readdirSync(runDir).sort()).toEqual([...sections].sort());

    const seen = new Map<string, string>();
    for (const section of sections) {
      const text = readFileSync(join(runDir, section, 'report.json'), 'utf8');
      const report = JSON.parse(text) as { findings: ReportFinding[]; unassigned?: { id: string }[] };
      const mine = section === '_platform' ? null : section;
      expect(report.findings.length, `${section} has findings`).toBeGreaterThan(0);
      for (const f of report.findings) {
        // A subscription-level subject the checks name themselves (a Defender plan that was not reported) is
        // the subscription's.
        const subject = owner.has(f.resource_id)
          ? f.resource_id
          : (/^\/subscriptions\/[^/]+(?=\/providers\/)/.exec(f.resource_id)?.[0] ?? '');
        expect(owner.has(subject), `${section}: ${f.resource_id} is not a generated subject`).toBe(true);
        expect(owner.get(subject), `${section} holds ${f.check_id} of ${f.resource_id}`).toBe(mine);
        expect(f.tenant_id).toBe(mine);
        const key = `${f.check_id} ${f.resource_id}`;
        expect(seen.get(key), `${key} is in two reports`).toBeUndefined();
        seen.set(key, section);
      }
      // Nobody else's resource id appears anywhere in the document, not even in evidence or waivers.
      for (const [id, who] of owner) if (who !== mine) expect(text.includes(`"${id}"`), `${section} names ${id}`).toBe(false);
      if (mine === null) {
        const unowned = [...owner].filter(([id, who]) => who === null && id.includes('/providers/')).map(([id]) => id);
        expect(report.unassigned?.map((u) => u.id).sort()).toEqual(unowned.sort());
      }
    }
    // Every finding the run stored is in one report: none was dropped between grouping and writing.
    expect(seen.size).toBe(await storedFindings(join(dir, 'store.duckdb')));
    // Every resource got a verdict in its owner's report.
    const judged = new Set([...seen.keys()].map((k) => k.slice(k.indexOf(' ') + 1)));
    expect([...owner.keys()].filter((id) => !judged.has(id))).toEqual([]);
  });
});
