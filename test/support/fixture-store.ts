// Loads a rule folder's fixtures.yaml rows into a real in-memory DuckDB store.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ResourceRow } from '../../src/model.js';
import { Store } from '../../src/store.js';

export const FIXTURE_RUN = 'fixture-run';
export const FIXTURE_TENANT = 't1';

export interface Fixtures {
  tables: Record<string, Record<string, unknown>[]>;
  params?: Record<string, number | string | boolean>;
  expect: Partial<Record<Verdict, string[]>>;
  /**
   * An ARM row and the equivalent Terraform resource, which must get the same verdict (the ARM row's expect set,
   * or `verdict` when given). An `unknown` pair has no ARM row: the plan leaves the deciding value unknown.
   */
  parity?: ParityPair[];
  /** CASE branches (of query.sql or a macro it calls) no row can take in this check, each with the reason. */
  unreachable?: { branch: string; why: string }[];
}

export type Verdict = 'pass' | 'fail' | 'error' | 'unknown';

export interface ParityPair {
  arm?: string;
  verdict?: Verdict;
  plan: PlanFixture | PlanFixture[];
}

export interface PlanFixture {
  type: string;
  name?: string;
  values: Record<string, unknown>;
  actions?: string[];
  /** Attributes the plan marks sensitive (after_sensitive / sensitive_values): `tags`, `security_rule[0].source_address_prefix`. */
  sensitive?: string[];
}

export function readFixtures(dir: string): Fixtures {
  return parse(readFileSync(`${dir}fixtures.yaml`, 'utf8')) as Fixtures;
}

/** A fixture row with every column the table has; unspecified columns are null, the tenant defaults to t1. */
export function resourceRow(r: Record<string, unknown>): ResourceRow {
  return {
    id: String(r.id),
    type: String(r.type),
    name: (r.name as string) ?? String(r.id),
    location: (r.location as string) ?? null,
    subscription_id: (r.subscription_id as string) ?? null,
    resource_group: (r.resource_group as string) ?? null,
    tags: (r.tags as Record<string, string>) ?? null,
    sku: (r.sku as ResourceRow['sku']) ?? null,
    properties: (r.properties as ResourceRow['properties']) ?? null,
    identity: (r.identity as ResourceRow['identity']) ?? null,
    origin: (r.origin as ResourceRow['origin']) ?? 'live',
    parent_id: (r.parent_id as string) ?? null,
    plan_address: (r.plan_address as string) ?? null,
    plan_actions: (r.plan_actions as string[]) ?? null,
    unknown_paths: (r.unknown_paths as string[]) ?? null,
    secrets: (r.secrets as ResourceRow['secrets']) ?? null,
    tenant_id: r.tenant_id === undefined ? FIXTURE_TENANT : (r.tenant_id as string | null),
  };
}

/** Rows of tables other than resources go in through plain SQL, JSON values as JSON text. */
async function insertGeneric(store: Store, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (const row of rows) {
    const cols = Object.keys(row);
    const values = cols.map((c) => {
      const v = row[c];
      if (v === null || v === undefined) return 'null';
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
        return `[${v.map((x) => `'${x.replaceAll("'", "''")}'`).join(', ')}]`;
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `'${text.replaceAll("'", "''")}'`;
    });
    const tenant = cols.includes('tenant_id') ? '' : ', tenant_id';
    const tenantValue = cols.includes('tenant_id') ? '' : `, '${FIXTURE_TENANT}'`;
    await store.exec(
      `insert into ${table} (run_id${tenant}, ${cols.join(', ')}) values ('${FIXTURE_RUN}'${tenantValue}, ${values.join(', ')})`,
    );
  }
}

/** A coverage row says which source vouched for it; fixtures name only parent_id and child_type. */
const coverageRow = (r: Record<string, unknown>) => ({ source: 'resource-graph', scope: 'file:fixtures.yaml', ...r });

export async function loadTables(store: Store, tables: Fixtures['tables']): Promise<void> {
  for (const [table, rows] of Object.entries(tables)) {
    if (table === 'resources') await store.appendResources(FIXTURE_RUN, rows.map(resourceRow));
    else if (table === 'child_coverage') await insertGeneric(store, table, rows.map(coverageRow));
    else await insertGeneric(store, table, rows);
  }
}

export async function fixtureStore(tables: Fixtures['tables']): Promise<Store> {
  const store = await Store.open(':memory:');
  await store.beginRun({ runId: FIXTURE_RUN, mode: 'nightly', toolVersion: 'test', configSha256: null });
  await loadTables(store, tables);
  return store;
}
