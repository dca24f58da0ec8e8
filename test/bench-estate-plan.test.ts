// The bench's `estate` template (bench/plan-generator.mjs): the platform stack re-planned against an existing
// estate, fat the way real `terraform show -json` plans are. The gate must take it like the lean template —
// no new errors — and must not let the computed keys and connection strings it now carries into any report.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compline } from './support/cli.js';

type Plan = {
  format_version: string;
  prior_state?: unknown;
  resource_changes: { address: string; mode: string; change: { actions: string[]; before: unknown; after: unknown } }[];
};
type Generator = { generatePlan: (target: number, template: string) => { plan: Plan; resourceChanges: number } };
type Finding = { check_id: string; plan_address: string | null; status: string };

const { generatePlan } = (await import(new URL('../bench/plan-generator.mjs', import.meta.url).href)) as Generator;
const dir = mkdtempSync(join(tmpdir(), 'compline-estate-'));

function gate(template: string) {
  const { plan } = generatePlan(100, template);
  const text = JSON.stringify(plan);
  const file = join(dir, `plan-${template}.json`);
  writeFileSync(file, text);
  const sarif = join(dir, `${template}.sarif`);
  const txt = join(dir, `${template}.txt`);
  const r = compline(['gate', file, '--format', 'json', '--output', `sarif=${sarif}`, '--output', `text=${txt}`]);
  return { plan, text, r, sarif: readFileSync(sarif, 'utf8'), txt: readFileSync(txt, 'utf8') };
}

describe('bench estate plan', () => {
  const estate = gate('estate');
  const platform = gate('platform');
  const findings = (r: { stdout: string }) => (JSON.parse(r.stdout) as { findings: Finding[] }).findings;

  it('is a plan against existing state, fat per resource', () => {
    const { plan, text } = estate;
    expect(plan.format_version).toBe('1.2');
    expect(plan.prior_state).toBeTruthy();
    const managed = plan.resource_changes.filter((rc) => rc.mode === 'managed');
    const noop = managed.filter((rc) => rc.change.actions.join() === 'no-op');
    expect(noop.length / managed.length).toBeGreaterThan(0.6);
    expect(
      noop.every(
        (rc) => rc.change.before === rc.change.after || JSON.stringify(rc.change.before) === JSON.stringify(rc.change.after),
      ),
    ).toBe(true);
    // Realistic size: full before and after of every resource, several KB per change.
    expect(JSON.stringify(plan.resource_changes).length / plan.resource_changes.length).toBeGreaterThan(3000);
    expect(text.length / plan.resource_changes.length).toBeGreaterThan(6000);
    // The fake computed secrets are in the plan (so the leak checks below mean something).
    expect(text).toContain('FAKEKEY');
  });

  it('varies ids per tenant instance', () => {
    const owner = new Map<string, string>();
    for (const rc of estate.plan.resource_changes) {
      const v = (rc.change.before ?? rc.change.after) as { id?: unknown } | null;
      if (typeof v?.id !== 'string' || v.id === 'none') continue;
      const tenant = /^module\.tenant\["(\w+)"\]/.exec(rc.address)?.[1] ?? '';
      expect(owner.get(v.id) ?? tenant, `${v.id} is shared across tenants`).toBe(tenant);
      owner.set(v.id, tenant);
    }
    expect(owner.size).toBeGreaterThan(100);
  });

  it('is gated without usage or internal errors, and without errors the lean template does not have', () => {
    expect([0, 1], estate.r.stderr).toContain(estate.r.code);
    expect([0, 1], platform.r.stderr).toContain(platform.r.code);
    // By template resource: the lean template repeats its fixture ids in every instance, so there only one
    // instance's SQL server is linked to its auditing policy; here every instance's is.
    const key = (f: Finding) => `${f.check_id} ${(f.plan_address ?? '').replace(/^module\.tenant\["\w+"\]\./, '')}`;
    const leanErrors = new Set(
      findings(platform.r)
        .filter((f) => f.status === 'error')
        .map(key),
    );
    const newErrors = findings(estate.r)
      .filter((f) => f.status === 'error' && !leanErrors.has(key(f)))
      .map(key);
    expect(newErrors).toEqual([]);
  });

  it('never shows a computed key, password or connection string in a report', () => {
    for (const out of [estate.r.stdout, estate.r.stderr, estate.sarif, estate.txt]) expect(out).not.toContain('FAKEKEY');
  });
});
