import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pascalCase, renderSarif } from '../../../src/reports/gate/sarif.js';
import { sarifValidator } from '../../support/sarif-schema.js';
import { CHECKS, EVIDENCE_MARKER, gateResult } from './gate-fixture.js';

const log = JSON.parse(renderSarif(gateResult(), CHECKS));
const run = log.runs[0];
const result = (ruleId: string, name: string) =>
  run.results.find(
    (r: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
      r.ruleId === ruleId && r.locations[0]?.logicalLocations[0]?.fullyQualifiedName === name,
  );

describe('renderSarif', () => {
  it('is valid against the official SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check rejects a log that breaks it', () => {
    const validate = sarifValidator();
    expect(validate({ ...log, runs: [{ ...run, results: [{ ruleId: 'x', level: 'fatal', message: { text: 'x' } }] }] })).toBe(
      false,
    );
  });

  it('names the schema, the version and the driver', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'Compline', version: '0.1.0', semanticVersion: '0.1.0' });
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    expect(run.properties.summary).toEqual({ pass: 3, fail: 4, error: 1, waived: 1, unknown: 1, blocking: 3 });
  });

  it('has one rule per catalogue check, plus one for a finding whose check is not in it', () => {
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'aks-monitoring-addon',
      'kv-purge-protection',
      'storage-https-only',
      'storage-min-tls',
      'storage-no-public-blob-access',
      'legacy-tagging',
    ]);
  });

  it('a check listed twice in the catalogue still makes one rule', () => {
    const twice = JSON.parse(renderSarif(gateResult(), [...CHECKS, ...CHECKS]));
    expect(twice.runs[0].tool.driver.rules).toHaveLength(6);
    expect(sarifValidator()(twice)).toBe(true);
  });

  it('describes a rule with its title, remediation, requirement tags and security severity', () => {
    const rule = run.tool.driver.rules[1];
    expect(rule.name).toBe('KvPurgeProtection');
    expect(rule.shortDescription.text).toBe('Key vaults have purge protection enabled');
    expect(rule.fullDescription.text).toBe('Without purge protection a soft-deleted vault can be purged at once.');
    expect(rule.help.text).toContain('Azure CLI: az keyvault update --name <vault>');
    expect(rule.help.markdown).toContain(
      '```hcl\nresource "azurerm_key_vault" "this" {\n  purge_protection_enabled = true\n}\n```',
    );
    expect(rule.properties.tags).toEqual(['pci-dss-4.0.1/3.6.1', 'pci-dss-4.0.1/3.7.1', 'sox-itgc/ITGC-CO-02', 'security']);
    expect(rule.properties['security-severity']).toBe('8.0');
    expect(rule.defaultConfiguration.level).toBe('error');
    const scores = Object.fromEntries(
      run.tool.driver.rules.map((r: { id: string; properties: Record<string, string> }) => [
        r.id,
        r.properties['security-severity'],
      ]),
    );
    expect(scores).toMatchObject({
      'storage-no-public-blob-access': '9.5',
      'storage-min-tls': '5.5',
      'aks-monitoring-addon': '3.0',
    });
  });

  it('reports every fail, error, unknown and waived finding, and no pass', () => {
    expect(run.results).toHaveLength(7);
    const levels = run.results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`);
    expect(levels).toEqual([
      'storage-no-public-blob-access:error',
      'kv-purge-protection:error',
      'storage-https-only:warning',
      'kv-purge-protection:error',
      'storage-min-tls:warning',
      'storage-min-tls:warning',
      'legacy-tagging:note',
    ]);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    }
  });

  it('says evidence is missing for error and unknown findings', () => {
    expect(result('storage-min-tls', 'azurerm_storage_account.data').message.text).toBe(
      'Evidence missing: minimumTlsVersion is absent',
    );
    expect(result('storage-https-only', 'azurerm_storage_account.data').message.text).toMatch(/^Evidence missing until apply/);
  });

  it('points a result whose block was found at its file and line under SRCROOT, the repository root as a file URI', () => {
    expect(run.originalUriBaseIds).toEqual({ SRCROOT: { uri: 'file:///work/repo/' } });
    const r = result('storage-no-public-blob-access', 'azurerm_storage_account.logs');
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/storage.tf', uriBaseId: 'SRCROOT' },
      region: { startLine: 7 },
    });
    expect(r.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: 'azurerm_storage_account.logs', kind: 'resource' }]);
  });

  it('a plan outside the source root is a file:// URI; a plan from stdin keeps its bare label', () => {
    const outside = gateResult({
      source: { root: '/work/repo', module_dir: '', plan: null, plan_path: '/tmp/ci run/plan.json' },
    });
    const located = (l: ReturnType<typeof gateResult>) =>
      JSON.parse(renderSarif(l, CHECKS)).runs[0].results.map(
        (x: { locations: { physicalLocation: unknown }[] }) => x.locations[0]?.physicalLocation,
      );
    expect(located(outside)).toContainEqual({ artifactLocation: { uri: 'file:///tmp/ci%20run/plan.json' } });
    const piped = gateResult({
      plan: { ...gateResult().plan, label: 'stdin' },
      source: { root: '/work/repo', module_dir: '', plan: null, plan_path: null },
    });
    expect(located(piped)).toContainEqual({ artifactLocation: { uri: 'stdin' } });
    for (const l of [outside, piped]) expect(sarifValidator()(JSON.parse(renderSarif(l, CHECKS)))).toBe(true);
  });

  it('locates a result by terraform address in the plan file, fingerprinted on check and address', () => {
    const r = result('kv-purge-protection', 'azurerm_key_vault.main');
    expect(r.message.text).toBe('Purge protection is off on "vault <prod> & \'main\' | `x`\u0007"');
    expect(r.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'infra/prod%20plan.json', uriBaseId: 'SRCROOT' } },
        logicalLocations: [{ fullyQualifiedName: 'azurerm_key_vault.main', kind: 'resource' }],
      },
    ]);
    expect(r.partialFingerprints['compline/v1']).toBe(
      createHash('sha256').update('kv-purge-protection\nazurerm_key_vault.main').digest('hex'),
    );
    expect(r.properties.requirements).toEqual(['pci-dss-4.0.1/3.6.1', 'pci-dss-4.0.1/3.7.1', 'sox-itgc/ITGC-CO-02']);
    expect(r.suppressions).toBeUndefined();
  });

  it('carries the waiver as an accepted external suppression on the waived result only', () => {
    const suppressed = run.results.filter((r: { suppressions?: unknown }) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].locations[0].logicalLocations[0].fullyQualifiedName).toBe('azurerm_key_vault.legacy');
    expect(suppressed[0].suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification:
          'Vault is decommissioned in Q1 <see CHG-2002> (waiver W-KV-1, approved by risk@bank.example, ticket CHG-2002, expires 2026-12-31)',
        properties: { waiver_id: 'W-KV-1', approver: 'risk@bank.example', ticket: 'CHG-2002', expires: '2026-12-31' },
      },
    ]);
  });

  it('is deterministic and leaves evidence rows out', () => {
    const text = renderSarif(gateResult(), CHECKS);
    expect(text).toBe(renderSarif(gateResult(), CHECKS));
    expect(text).not.toContain(EVIDENCE_MARKER);
  });

  it('PascalCases check ids', () => {
    expect(pascalCase('storage-no-public-blob-access')).toBe('StorageNoPublicBlobAccess');
    expect(pascalCase('aks_rbac-v2')).toBe('AksRbacV2');
  });
});
