import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit, xmlAttr, xmlText } from '../../../src/reports/gate/junit.js';
import { CHECKS, EVIDENCE_MARKER, gateResult } from './gate-fixture.js';

const xml = renderJunit(gateResult(), CHECKS);
const parsed = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testsuite', 'testcase'].includes(name),
}).parse(xml);

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string; type: string };
  skipped?: { message: string };
}
const suites: { name: string; tests: string; failures: string; errors: string; skipped: string; testcase: Case[] }[] =
  parsed.testsuites.testsuite;
const cases: Case[] = suites.flatMap((s) => s.testcase);
const testcase = (classname: string, name: string) => cases.find((c) => c.classname === classname && c.name === name);

describe('renderJunit', () => {
  it('is well-formed XML 1.0 despite markup and control characters in the findings', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting these characters are absent
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('counts every check × resource as a test case, and the cost, totalled on <testsuites>', () => {
    expect(parsed.testsuites).toMatchObject({
      name: 'compline',
      tests: '11',
      failures: '4',
      errors: '2',
      skipped: '1',
      time: '0',
    });
    expect(cases).toHaveLength(11);
    expect(cases.filter((c) => c.failure)).toHaveLength(4);
    expect(cases.filter((c) => c.error)).toHaveLength(2);
    expect(cases.filter((c) => c.skipped)).toHaveLength(1);
  });

  it('has one suite per check, named by the check id, with its own counts', () => {
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped])).toEqual([
      ['aks-monitoring-addon', '1', '0', '0', '0'],
      ['kv-purge-protection', '3', '1', '0', '1'],
      ['legacy-tagging', '1', '1', '0', '0'],
      ['storage-https-only', '2', '0', '1', '0'],
      ['storage-min-tls', '2', '1', '1', '0'],
      ['storage-no-public-blob-access', '1', '1', '0', '0'],
      ['compline-cost', '1', '0', '0', '0'],
    ]);
  });

  it('names a case by terraform address, or by resource id when there is none', () => {
    expect(suites[1]?.testcase.map((c) => c.name)).toEqual([
      'azurerm_key_vault.main',
      'azurerm_key_vault.legacy',
      '/subscriptions/0000/resourcegroups/rg-t1-prod/providers/microsoft.keyvault/vaults/kv-live',
    ]);
  });

  it('a failure carries the reason, the severity and the remediation; escaped text reads back unchanged', () => {
    const failure = testcase('kv-purge-protection', 'azurerm_key_vault.main')?.failure;
    expect(failure?.type).toBe('high');
    expect(failure?.message).toBe('Purge protection is off on "vault <prod> & \'main\' | `x`\uFFFD"');
    expect(failure?.['#text']).toContain('Requirements: pci-dss-4.0.1/3.6.1, pci-dss-4.0.1/3.7.1, sox-itgc/ITGC-CO-02');
    expect(failure?.['#text']).toContain(
      'Azure CLI: az keyvault update --name <vault> --resource-group <rg> --enable-purge-protection true',
    );
    expect(failure?.['#text']).toContain('purge_protection_enabled = true');
  });

  it('error and unknown findings are errors that say evidence is missing', () => {
    expect(testcase('storage-min-tls', 'azurerm_storage_account.data')?.error).toMatchObject({
      type: 'error',
      message: 'Evidence missing (error): minimumTlsVersion is absent',
    });
    expect(testcase('storage-https-only', 'azurerm_storage_account.data')?.error?.type).toBe('unknown');
  });

  it('a waived finding is skipped, naming its waiver', () => {
    expect(testcase('kv-purge-protection', 'azurerm_key_vault.legacy')?.skipped?.message).toBe(
      'waived by W-KV-1 (approved by risk@bank.example, ticket CHG-2002, expires 2026-12-31): Vault is decommissioned in Q1 <see CHG-2002>',
    );
  });

  it('leaves evidence rows out', () => {
    expect(xml).not.toContain(EVIDENCE_MARKER);
  });
});

describe('XML escaping', () => {
  it('escapes markup in text and attributes', () => {
    expect(xmlText(`a < b && c > "d" 'e'`)).toBe(`a &lt; b &amp;&amp; c &gt; "d" 'e'`);
    expect(xmlAttr(`a < b && c > "d" 'e'`)).toBe('a &lt; b &amp;&amp; c &gt; &quot;d&quot; &apos;e&apos;');
  });

  it('keeps line breaks in attributes as character references', () => {
    expect(xmlAttr('one\ntwo\tthree\r')).toBe('one&#10;two&#9;three&#13;');
  });

  it('replaces characters XML 1.0 forbids, keeping tab, line feed, carriage return and astral characters', () => {
    expect(xmlText('bel\u0007 nul\u0000 esc\u001b ff\u000c \t\n\r ok')).toBe('bel\uFFFD nul\uFFFD esc\uFFFD ff\uFFFD \t\n\r ok');
    expect(xmlText('lone \uD800 high, lone \uDC00 low, pair 😀')).toBe('lone \uFFFD high, lone \uFFFD low, pair 😀');
    expect(xmlText('\uFFFE\uFFFF')).toBe('\uFFFD\uFFFD');
  });
});
