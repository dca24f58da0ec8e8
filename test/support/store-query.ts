// Reading a run's DuckDB store after the CLI closed it, as an auditor with DuckDB would.
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
