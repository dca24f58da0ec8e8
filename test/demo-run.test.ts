// End to end: `compline run` on the bundled demo estate gives the verdicts designed into it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TenantReport } from '../src/reports/tenant-report.js';
import { compline } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'compline-demo-'));
let stdout = '';
let code: number | null = null;
const reports: Record<string, TenantReport> = {};

/** [pass, fail, error, waived] of one check in one tenant's report. */
function counts(tenant: string, check: string): number[] {
  const f = reports[tenant]!.findings.filter((x) => x.check_id === check);
  return (['pass', 'fail', 'error', 'waived'] as const).map((s) => f.filter((x) => x.status === s).length);
}

beforeAll(() => {
  const r = compline([
    'run',
    '--config',
    'demo/compline.yaml',
    '--out',
    join(work, 'out'),
    '--store',
    join(work, 'store.duckdb'),
  ]);
  stdout = r.stdout;
  code = r.code;
  const [runId] = readdirSync(join(work, 'out'));
  for (const tenant of readdirSync(join(work, 'out', runId!))) {
    reports[tenant] = JSON.parse(readFileSync(join(work, 'out', runId!, tenant, 'report.json'), 'utf8'));
  }
}, 60_000);

describe('demo estate', () => {
  it('runs and prints a per-tenant summary table', () => {
    expect(code).toBe(0);
    expect(stdout).toMatch(/^run \d{8}T\d{6}Z-[0-9a-f]{6} \(partial\) → /);
    expect(stdout).toMatch(/tenant\s+framework\s+pass\s+fail\s+error\s+waived\s+unknown/);
    for (const t of ['bank_alpha', 'credit_union_beta', 'fintech_gamma', '_platform']) expect(stdout).toContain(t);
    expect(Object.keys(reports).sort()).toEqual(['_platform', 'bank_alpha', 'credit_union_beta', 'fintech_gamma']);
  });

  it('key vault purge protection: the designed mix per tenant', () => {
    expect(counts('bank_alpha', 'kv-purge-protection')).toEqual([9, 5, 3, 0]);
    // WVR-2025-090 expired: kv-cub-dev-3 fails again, and the report lists the expired waiver.
    expect(counts('credit_union_beta', 'kv-purge-protection')).toEqual([6, 4, 2, 0]);
    expect(reports.credit_union_beta!.waivers.expired.map((e) => [e.waiver.id, e.matched])).toEqual([['WVR-2025-090', 1]]);
    expect(counts('_platform', 'kv-purge-protection')).toEqual([1, 1, 1, 0]);
  });

  it('storage minimum TLS: absent is an error, the active waiver shows as waived', () => {
    expect(counts('bank_alpha', 'storage-min-tls')).toEqual([9, 4, 3, 1]);
    const waived = reports.bank_alpha!.findings.find((f) => f.status === 'waived');
    expect(waived).toMatchObject({ check_id: 'storage-min-tls', waiver_id: 'WVR-2026-014' });
    expect(waived?.resource_id).toMatch(/storageaccounts\/stalphadev2$/);
    expect(counts('credit_union_beta', 'storage-min-tls')).toEqual([6, 4, 2, 0]);
  });

  it('storage HTTPS only and NSG internet SSH/RDP', () => {
    expect(counts('bank_alpha', 'storage-https-only')).toEqual([12, 5, 0, 0]);
    expect(counts('credit_union_beta', 'storage-https-only')).toEqual([8, 4, 0, 0]);
    // dev and staging: one good, one bad, one without securityRules each; prod all good.
    expect(counts('bank_alpha', 'nsg-no-internet-ssh-rdp')).toEqual([5, 2, 2, 0]);
    expect(counts('credit_union_beta', 'nsg-no-internet-ssh-rdp')).toEqual([4, 2, 2, 0]);
    expect(counts('bank_alpha', 'aks-rbac-enabled')).toEqual([1, 1, 0, 0]);
  });

  it('GDPR-only tenant gets no PCI or SOX verdicts', () => {
    expect(reports.fintech_gamma!.findings).toEqual([]);
    expect(reports.fintech_gamma!.frameworks.gdpr?.note).toBe('no automated check catalogue for this framework');
  });

  it('tenants never see each other’s resources', () => {
    const owners: Record<string, RegExp> = {
      bank_alpha: /rg-bank_alpha-/,
      credit_union_beta: /rg-credit_union_beta-/,
    };
    for (const [tenant, own] of Object.entries(owners)) {
      const text = JSON.stringify(reports[tenant]);
      for (const other of ['bank_alpha', 'credit_union_beta', 'fintech_gamma'].filter((t) => t !== tenant)) {
        expect(text.includes(`rg-${other}-`), `${tenant} report mentions ${other}`).toBe(false);
      }
      for (const f of reports[tenant]!.findings) expect(f.resource_id).toMatch(own);
    }
  });

  it('unassigned resources land in the platform section, never dropped', () => {
    const unassigned = reports._platform!.unassigned!.map((u) => u.id.split('/').pop());
    expect(unassigned).toEqual(expect.arrayContaining(['stlegacyftp', 'kv-legacy-import', 'aks-shared-westus', 'nsg-hub-0']));
    expect(unassigned).not.toContain('stgammaexport'); // claimed by its CustomerID tag
  });

  it('requirements: one failing check fails the requirement; requirements without checks say manual', () => {
    const pci = reports.bank_alpha!.frameworks['pci-dss-4.0.1']!;
    const r = Object.fromEntries(pci.requirements.map((x) => [x.id, x]));
    expect(r['3.6.1']?.status).toBe('fail');
    expect(r['3.6.1']?.checks).toContain('kv-purge-protection');
    expect(r['9.4.1']).toMatchObject({ status: 'manual', checks: [] });
  });
});
