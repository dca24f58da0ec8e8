// `compline gate` with cost: the price sheet's date in every format, --budget-delta's exit 7, --prices, a real plan.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { compline } from './support/cli.js';
import { buildPlan } from './support/plan-builder.js';
import { itReal, REAL_DIR } from './support/real-data.js';

const dir = mkdtempSync(join(tmpdir(), 'compline-gate-cost-'));
const planPath = join(dir, 'plan.json');
writeFileSync(
  planPath,
  JSON.stringify(
    buildPlan([
      {
        type: 'azurerm_linux_virtual_machine',
        name: 'app',
        values: { name: 'app', location: 'eastus', size: 'Standard_D2s_v5' },
      },
      { type: 'azurerm_storage_account', name: 'sa', values: { name: 'sa', location: 'eastus', account_tier: 'Standard' } },
    ]).plan,
  ),
);

describe('compline gate cost delta', () => {
  it('shows the delta and the price sheet’s date in text, JSON, SARIF run properties, JUnit properties and Markdown', () => {
    const out = (f: string) => join(dir, `out.${f}`);
    const r = compline([
      'gate',
      planPath,
      '--fail-on',
      'critical',
      ...['json', 'sarif', 'junit', 'markdown'].flatMap((f) => ['--output', `${f}=${out(f)}`]),
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Monthly cost (list prices, 730 h/month, price sheet of 2026-12-05)');
    expect(r.stdout).toContain(
      'cost: monthly cost delta +70.08 USD (1 priced, 1 not priced) · price sheet of 2026-12-05 (bundled)',
    );
    const json = JSON.parse(readFileSync(out('json'), 'utf8'));
    expect(json.cost).toMatchObject({
      monthly_delta: 70.08,
      price_sheet: { date: '2026-12-05', origin: 'bundled' },
      budget: null,
    });
    const sarif = JSON.parse(readFileSync(out('sarif'), 'utf8'));
    expect(sarif.runs[0].properties.cost).toMatchObject({
      price_sheet_date: '2026-12-05',
      monthly_delta: 70.08,
      currency: 'USD',
    });
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(out('junit'), 'utf8'));
    const suites = [junit.testsuites.testsuite].flat();
    const costSuite = suites.find((s: { name: string }) => s.name === 'compline-cost');
    const props = Object.fromEntries(
      [costSuite.properties.property].flat().map((p: { name: string; value: string }) => [p.name, p.value]),
    );
    expect(props).toMatchObject({ price_sheet_date: '2026-12-05', monthly_delta: '70.08', currency: 'USD' });
    const md = readFileSync(out('markdown'), 'utf8');
    expect(md).toContain('### Monthly cost delta: +70.08 USD');
    expect(md).toContain('price sheet of 2026-12-05');
  });

  it('--budget-delta exits 7 when the increase exceeds it, over findings, and 0 within it', () => {
    const over = compline(['gate', planPath, '--fail-on', 'critical', '--budget-delta', '50', '--format', 'json']);
    expect(over.code).toBe(7);
    expect(JSON.parse(over.stdout).cost.budget).toMatchObject({ limit: 50, status: 'exceeded', blocking: true });
    const md = compline(['gate', planPath, '--fail-on', 'low', '--budget-delta', '50', '--format', 'markdown']);
    expect(md.code).toBe(7);
    expect(md.stdout.split('\n')[0]).toMatch(
      /^## ❌ Compline gate failed: monthly cost budget exceeded, and \d+ blocking findings$/,
    );
    expect(compline(['gate', planPath, '--fail-on', 'critical', '--budget-delta', '70.08']).code).toBe(0);
  });

  it('refuses a budget that is not an amount, and a price sheet that is not one, with exit 2 and one line', () => {
    const bad = compline(['gate', planPath, '--budget-delta', '-5']);
    expect(bad.code).toBe(2);
    const word = compline(['gate', planPath, '--budget-delta', 'lots']);
    expect(word.stderr).toBe('compline gate: --budget-delta lots: expected an amount such as 250 or 99.50\n');
    const sheet = join(dir, 'bad-sheet.json');
    writeFileSync(sheet, JSON.stringify({ BillingCurrency: 'USD', Items: [] }));
    const r = compline(['gate', planPath, '--prices', sheet]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `compline: ${sheet}: not a price sheet: CustomerEntityId: Invalid input: expected string, received undefined\n`,
    );
  });

  it('--prices uses a refreshed sheet, and every format names its date and file', () => {
    const bundled = JSON.parse(readFileSync(join(process.cwd(), 'src/finops/prices/retail-prices.json'), 'utf8'));
    const refreshed = {
      ...bundled,
      SheetDate: '2027-01-15',
      Origin: 'refreshed',
      Items: bundled.Items.map((i: { retailPrice: number; unitPrice: number }) => ({
        ...i,
        retailPrice: i.retailPrice * 2,
        unitPrice: i.unitPrice * 2,
      })),
    };
    const sheet = join(dir, 'refreshed.json');
    writeFileSync(sheet, JSON.stringify(refreshed));
    const r = compline(['gate', planPath, '--prices', sheet, '--format', 'json']);
    expect(JSON.parse(r.stdout).cost).toMatchObject({
      monthly_delta: 140.16,
      price_sheet: { date: '2027-01-15', origin: 'refreshed', file: sheet },
    });
  });

  itReal(
    ['a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json'],
    'names what a real 0.12 plan leaves unpriced',
    () => {
      const r = compline([
        'gate',
        `${REAL_DIR}a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json`,
        '--format',
        'json',
      ]);
      const c = JSON.parse(r.stdout).cost;
      // Both VMs and the public IP take their location from a data source read at apply: no price, and said so.
      expect(c.items).toEqual([]);
      expect(c.not_priced.map((n: { address: string; kind: string; reason: string }) => [n.address, n.kind, n.reason])).toEqual([
        ['module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]', 'unknown-at-plan', 'location known only after apply'],
        ['module.windowsservers-pass.azurerm_public_ip.vm[0]', 'unknown-at-plan', 'location known only after apply'],
        [
          'module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]',
          'unknown-at-plan',
          'location known only after apply',
        ],
      ]);
      expect(c.unpriced_types).toMatchObject({
        azurerm_network_interface: 2,
        azurerm_network_security_group: 2,
        azurerm_resource_group: 1,
      });
    },
  );
});
