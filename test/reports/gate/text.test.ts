import { describe, expect, it } from 'vitest';
import { renderText, terminalSafe } from '../../../src/reports/gate/text.js';
import { EVIDENCE_MARKER, FINDINGS, gateResult } from './gate-fixture.js';

const plain = renderText(gateResult(), { color: false });
const coloured = renderText(gateResult(), { color: true });
const ESC = '\u001b';

describe('renderText', () => {
  it('without colour has no ANSI escape and no control character but line breaks', () => {
    expect(plain).not.toContain(ESC);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting these characters are absent
    expect(plain).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/);
  });

  it('with colour uses ANSI escapes, and only its own: a finding cannot inject one', () => {
    expect(coloured).toContain(`${ESC}[1;31m`);
    const hostile = renderText(
      gateResult({ findings: [{ ...(FINDINGS[0] as (typeof FINDINGS)[0]), reason: `clear screen ${ESC}[2J now` }] }),
      { color: false },
    );
    expect(hostile).not.toContain(ESC);
    expect(hostile).toContain('clear screen \uFFFD[2J now');
  });

  it('prints one line per non-pass finding, grouped by severity, worst first', () => {
    const findingLines = plain.split('\n').filter((l) => /^ {2}[✗!?~] /.test(l));
    expect(findingLines).toEqual([
      '  ✗ storage-no-public-blob-access azurerm_storage_account.logs (infra/storage.tf:7) [fail, blocking] Anonymous blob access is allowed',
      `  ✗ kv-purge-protection azurerm_key_vault.main [fail, blocking] Purge protection is off on "vault <prod> & 'main' | \`x\`\uFFFD"`,
      '  ✗ storage-https-only azurerm_storage_account.data [unknown, blocking] supportsHttpsTrafficOnly is known only after apply',
      '  ~ kv-purge-protection azurerm_key_vault.legacy [waived by W-KV-1] Purge protection is off',
      '  ? storage-min-tls azurerm_storage_account.data [error] minimumTlsVersion is absent',
      '  ! storage-min-tls azurerm_storage_account.this["logs|eu"] [fail] TLS 1.0 is allowed',
      '  ! legacy-tagging azurerm_resource_group.main [fail] CostCenter tag is missing',
    ]);
    const headings = plain.split('\n').filter((l) => /^[A-Z]+ \(\d+\)$/.test(l));
    expect(headings).toEqual(['CRITICAL (1)', 'HIGH (3)', 'MEDIUM (2)', 'LOW (1)']);
  });

  it('ends with the summary line, then the warnings', () => {
    const lines = plain.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([
      '✗ 3 blocking (fail-on high) · 4 fail · 1 error · 1 unknown · 1 waived · 3 pass',
      'warning: 2 azurerm resources of types the gate cannot map yet: azurerm_foo_bar (2)',
      `warning: odd plan note "vault <prod> & 'main' | \`x\`\uFFFD"`,
    ]);
  });

  it('lists expired waivers', () => {
    expect(plain).toContain(
      '  W-TLS-OLD: storage-min-tls on azurerm_storage_account.*, expired 2025-06-30, 1 finding no longer waived (ticket CHG-1001)',
    );
  });

  it('a clean plan gets a tick', () => {
    const clean = renderText(
      gateResult({
        findings: FINDINGS.filter((f) => f.status === 'pass'),
        summary: { pass: 3, fail: 0, error: 0, waived: 0, unknown: 0, blocking: 0 },
        waivers: { active: [], expired: [] },
        warnings: [],
        exit_code: 0,
      }),
      { color: false },
    );
    expect(clean.trimEnd().split('\n').pop()).toBe(
      '✓ 0 blocking (fail-on high) · 0 fail · 0 error · 0 unknown · 0 waived · 3 pass',
    );
  });

  it('leaves evidence rows out', () => {
    expect(plain).not.toContain(EVIDENCE_MARKER);
  });
});

describe('terminalSafe', () => {
  it('folds line breaks and tabs to spaces and replaces other control characters', () => {
    expect(terminalSafe('a\nb\r\nc\td\u0007e\u009bf')).toBe('a b c d\uFFFDe\uFFFDf');
  });
});
