// The gate over plans with values marked sensitive that a check would judge: a value the gate may not show must not
// decide a verdict either. It reaches the checks as a value not known at plan time (`unknown`, naming where it is);
// a failure decided on known values beside it still fails and blocks.
import { describe, expect, it } from 'vitest';
import type { PlanFixture } from './support/fixture-store.js';
import { gateJson as gate, inboundRule as rule } from './support/gate-json.js';

const HIDDEN = 'not known at plan time (known only after apply or marked sensitive)';

// What a sensitive variable may hold: the gate must not read it, so no value of it may pass or fail a check.
const SOURCE = 'Sensitive-Source-7d3a';
const NSG = 'azurerm_network_security_group.db';
const nsg = (rules: Record<string, unknown>[]): PlanFixture => ({
  type: 'azurerm_network_security_group',
  name: 'db',
  values: { name: 'nsg-db', location: 'westeurope', resource_group_name: 'rg', security_rule: rules },
  sensitive: ['security_rule[0].source_address_prefix'],
});

describe('a value marked sensitive decides no verdict', () => {
  it('NSG: the only SSH rule with a sensitive source is unknown, never a pass', () => {
    const r = gate([nsg([rule('ssh-from-var', '22', SOURCE, 100)])]);
    expect(r.plan).toContain(SOURCE);
    expect(r.stdout).not.toContain(SOURCE);
    expect(r.of('nsg-no-internet-ssh-rdp', NSG)).toMatchObject({
      status: 'unknown',
      blocking: false,
      reason: `${HIDDEN}: properties.securityRules[*].properties.sourceAddressPrefix`,
    });
    // Unknown verdicts break the gate when asked to.
    expect(r.code).toBe(0);
    const strict = gate([nsg([rule('ssh-from-var', '22', SOURCE, 100)])], ['--unknown', 'fail']);
    expect(strict.of('nsg-no-internet-ssh-rdp', NSG)).toMatchObject({ status: 'unknown', blocking: true });
    expect(strict.code).toBe(1);
  });

  it('NSG: a known rule open to the internet beside it still fails and blocks', () => {
    const r = gate([nsg([rule('ssh-from-var', '22', SOURCE, 100), rule('rdp-any', '3389', '*', 110)])]);
    expect(r.of('nsg-no-internet-ssh-rdp', NSG)).toMatchObject({
      status: 'fail',
      blocking: true,
      reason: 'SSH/RDP open to the internet by rule(s): rdp-any',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(SOURCE);
  });

  it('NSG: a separately planned rule with a sensitive source, merged into its NSG, is unknown too', () => {
    const r = gate([
      { ...nsg([]), sensitive: [] },
      {
        type: 'azurerm_network_security_rule',
        name: 'ssh',
        values: { ...rule('ssh-from-var', '22', SOURCE, 100), resource_group_name: 'rg', network_security_group_name: 'nsg-db' },
        sensitive: ['source_address_prefix'],
      },
    ]);
    expect(r.of('nsg-no-internet-ssh-rdp', NSG)).toMatchObject({
      status: 'unknown',
      reason: `${HIDDEN}: properties.securityRules[*].properties.sourceAddressPrefix`,
    });
    expect(r.stdout).not.toContain(SOURCE);
  });

  it('SQL server: a sensitive minimum_tls_version is unknown, not an unrecognised value', () => {
    const r = gate([
      {
        type: 'azurerm_mssql_server',
        name: 'sql',
        values: {
          name: 'sql-a',
          location: 'westeurope',
          resource_group_name: 'rg',
          version: '12.0',
          administrator_login: 'sqladmin',
          minimum_tls_version: '1.0',
        },
        sensitive: ['minimum_tls_version'],
      },
    ]);
    expect(r.of('sql-min-tls', 'azurerm_mssql_server.sql')).toMatchObject({
      status: 'unknown',
      reason: `${HIDDEN}: properties.minimalTlsVersion`,
    });
  });

  it('storage account: a sensitive min_tls_version is unknown', () => {
    const r = gate([
      {
        type: 'azurerm_storage_account',
        name: 'st',
        values: {
          name: 'sta',
          location: 'westeurope',
          resource_group_name: 'rg',
          account_tier: 'Standard',
          account_replication_type: 'LRS',
          min_tls_version: 'TLS1_0',
        },
        sensitive: ['min_tls_version'],
      },
    ]);
    expect(r.of('storage-min-tls', 'azurerm_storage_account.st')).toMatchObject({
      status: 'unknown',
      reason: `${HIDDEN}: properties.minimumTlsVersion`,
    });
  });

  it('tags: a sensitive Environment value is unknown, not a tag that satisfies sox-production-tags', () => {
    const tags = { CustomerID: 'bank', Environment: 'prod', ManagedBy: 'terraform', 'Compliance-PCI': 'pci-dss-4.0.1' };
    const vault = (sensitive: string[]): PlanFixture => ({
      type: 'azurerm_key_vault',
      name: 'kv',
      values: { name: 'kv-a', location: 'westeurope', resource_group_name: 'rg', sku_name: 'standard', tags },
      sensitive,
    });
    // Unmarked, the same tags pass: the mark alone withholds the verdict.
    expect(gate([vault([])]).of('sox-production-tags', 'azurerm_key_vault.kv')?.status).toBe('pass');
    expect(gate([vault(['tags.Environment'])]).of('sox-production-tags', 'azurerm_key_vault.kv')).toMatchObject({
      status: 'unknown',
      reason: `${HIDDEN}: tags`,
    });
  });
});
