import { describe, expect, it } from 'vitest';
import type { GateFinding } from '../../../src/reports/gate/gate-result.js';
import { MAX_TABLE_ROWS, mdCell, renderMarkdown } from '../../../src/reports/gate/markdown.js';
import { COST, EVIDENCE_MARKER, FINDINGS, gateResult } from './gate-fixture.js';

const md = renderMarkdown(gateResult());
/** The lines from `heading` (a `###` heading or a `<summary>`) to the next `<details>` or `</details>`. */
function section(heading: string): string[] {
  const start = md.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const ends = ['<details>', '</details>'].map((tag) => md.indexOf(tag, start + heading.length)).filter((i) => i >= 0);
  return md.slice(start, ends.length ? Math.min(...ends) : undefined).split('\n');
}
const rows = (lines: string[]) =>
  lines.filter(
    (l) => l.startsWith('| ') && !l.startsWith('| Severity') && !l.startsWith('| Status') && !l.startsWith('| Waiver'),
  );

describe('renderMarkdown', () => {
  it('leads with the verdict and the counts', () => {
    expect(md.split('\n')[0]).toBe('## ❌ Compline gate failed: 3 blocking findings (fail-on high)');
    expect(md).toContain(
      'Plan infra/prod plan.json · tenant t1 · pci-dss-4.0.1, sox-itgc · 4 fail · 1 error · 1 unknown · 1 waived · 3 pass',
    );
  });

  it('a passing gate says so', () => {
    const passing = renderMarkdown(
      gateResult({
        exit_code: 0,
        findings: FINDINGS.filter((f) => f.status === 'pass'),
        summary: { pass: 3, fail: 0, error: 0, waived: 0, unknown: 0, blocking: 0 },
        waivers: { active: [], expired: [] },
        cost: { ...COST, monthly_delta: 0, items: [], not_priced: [], unpriced_types: {} },
        warnings: [],
      }),
    );
    expect(passing.split('\n')[0]).toBe('## ✅ Compline gate passed: no blocking findings (fail-on high)');
    expect(passing).not.toContain('<details>');
    expect(passing).not.toContain('### Blocking findings');
  });

  it('tables the blocking findings with requirement ids, escaping markup, pipes and backticks', () => {
    expect(rows(section('### Blocking findings'))).toEqual([
      '| critical | storage-no-public-blob-access | azurerm\\_storage\\_account.logs (infra/storage.tf:7) | pci-dss-4.0.1/1.4.1 | Anonymous blob access is allowed |',
      '| high | kv-purge-protection | azurerm\\_key\\_vault.main | pci-dss-4.0.1/3.6.1, pci-dss-4.0.1/3.7.1, sox-itgc/ITGC-CO-02 | Purge protection is off on "vault &lt;prod&gt; &amp; \'main\' \\| \\`x\\`\uFFFD" |',
      '| high | storage-https-only | azurerm\\_storage\\_account.data | pci-dss-4.0.1/4.2.1 | supportsHttpsTrafficOnly is known only after apply |',
    ]);
  });

  it('folds non-blocking failures, errors and unknowns, waived findings and expired waivers', () => {
    expect(rows(section('<summary>Non-blocking failures (2)</summary>'))).toEqual([
      '| medium | storage-min-tls | azurerm\\_storage\\_account.this\\["logs\\|eu"\\] | pci-dss-4.0.1/4.2.1 | TLS 1.0 is allowed |',
      '| low | legacy-tagging | azurerm\\_resource\\_group.main |  | CostCenter tag is missing |',
    ]);
    expect(rows(section('<summary>Errors and unknowns: evidence missing (1)</summary>'))).toEqual([
      '| error | medium | storage-min-tls | azurerm\\_storage\\_account.data | pci-dss-4.0.1/4.2.1 | minimumTlsVersion is absent |',
    ]);
    expect(rows(section('<summary>Waived (1)</summary>'))).toEqual([
      '| high | kv-purge-protection | azurerm\\_key\\_vault.legacy | W-KV-1 | risk@bank.example | CHG-2002 | 2026-12-31 | Vault is decommissioned in Q1 &lt;see CHG-2002&gt; |',
    ]);
    expect(rows(section('<summary>Expired waivers: no longer applied (1)</summary>'))).toEqual([
      '| W-TLS-OLD | storage-min-tls | azurerm\\_storage\\_account.\\* | 2025-06-30 | 1 | ciso@bank.example | CHG-1001 |',
    ]);
    expect(section('<summary>Warnings (2)</summary>')).toContain(
      '- odd plan note "vault &lt;prod&gt; &amp; \'main\' \\| \\`x\\`\uFFFD"',
    );
  });

  it('every table row has exactly as many cells as its header', () => {
    const lines = md.split('\n');
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    let tables = 0;
    lines.forEach((line, i) => {
      if (!line.startsWith('|---')) return;
      tables++;
      const width = cells(lines[i - 1] ?? '');
      expect(cells(line)).toBe(width);
      for (let j = i + 1; lines[j]?.startsWith('|'); j++) expect(cells(lines[j] ?? ''), lines[j]).toBe(width);
    });
    // Blocking, non-blocking failures, errors and unknowns, waived, expired waivers; priced and not priced resources.
    expect(tables).toBe(7);
  });

  it(`caps a table at ${MAX_TABLE_ROWS} rows and says how many more there are`, () => {
    const many: GateFinding[] = Array.from({ length: MAX_TABLE_ROWS + 5 }, (_, i) => ({
      ...(FINDINGS[1] as GateFinding),
      address: `azurerm_key_vault.v${i}`,
      plan_address: `azurerm_key_vault.v${i}`,
    }));
    const capped = renderMarkdown(gateResult({ findings: many }));
    expect(capped.split('\n').filter((l) => l.startsWith('| high | kv-purge-protection'))).toHaveLength(MAX_TABLE_ROWS);
    expect(capped).toContain('… and 5 more');
  });

  it('leaves evidence rows out', () => {
    expect(md).not.toContain(EVIDENCE_MARKER);
  });
});

describe('mdCell', () => {
  it('neutralises HTML, Markdown syntax, column breaks and line breaks', () => {
    expect(mdCell('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(mdCell('a|b `c` *d* _e_ [f](g) ~h~ \\')).toBe('a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) \\~h\\~ \\\\');
    expect(mdCell('one\ntwo\r\nthree')).toBe('one two three');
    expect(mdCell('bell\u0007')).toBe('bell\uFFFD');
  });
});
