// Reading a run's DuckDB store after the CLI closed it, as an auditor with DuckDB would.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export async function queryStore(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Two tenants over a folder of Resource Graph files, `estate/`: the config most run tests start from. */
export const TWO_TENANTS = `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod] }
sources:
  resource_graph: { mode: file, paths: [estate] }
`;

/** The subscription of the run tests' Resource Graph rows (their tenants come from resource groups, rg-<tenant>-prod). */
export const ESTATE_SUB = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';

/** A key vault as Resource Graph returns it. */
export const vaultRow = (name: string, rg: string, properties: Record<string, unknown>, sub = ESTATE_SUB) => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`,
  name,
  type: 'microsoft.keyvault/vaults',
  location: 'eastus',
  resourceGroup: rg,
  subscriptionId: sub,
  tags: {},
  properties,
});

/** A fresh folder holding `estate/page.json`: one key vault each for acme and zeta, purge protection off. */
export function twoVaultEstate(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'estate'));
  const vault = (name: string, rg: string) => vaultRow(name, rg, { enablePurgeProtection: false });
  writeFileSync(
    join(dir, 'estate', 'page.json'),
    JSON.stringify({ data: [vault('kv-acme', 'rg-acme-prod'), vault('kv-zeta', 'rg-zeta-prod')] }),
  );
  return dir;
}
