// The input rows behind a check's findings for one tenant, and the information-produced-by-the-entity (IPE)
// metadata that says where they came from and how complete they were.
import { TABLE_SOURCES } from '../collectors/collector.js';
import type { CheckMeta } from '../model.js';
import { RULE_TABLES, type SourceStatus, type Store, tableColumns } from '../store.js';

let parsed: { macros: string; bodies: Map<string, string> } | null = null;

/** Macro bodies by name, from the macros file; parsed once for the file every check of a run shares. */
function macroBodies(macros: string): Map<string, string> {
  if (parsed?.macros === macros) return parsed.bodies;
  const bodies = new Map<string, string>();
  parsed = { macros, bodies };
  const head = /create\s+(?:or\s+replace\s+)?(?:temp\s+|temporary\s+)?macro\s+([a-z_][a-z0-9_]*)/gi;
  const starts = [...macros.matchAll(head)];
  for (const [i, m] of starts.entries())
    bodies.set(m[1]!.toLowerCase(), macros.slice(m.index!, starts[i + 1]?.index ?? macros.length));
  return bodies;
}

const readCache = { macros: '', tables: new Map<string, string[]>() };

/**
 * The tables a query reads: the ones its check declares, and any its text or a macro it calls (transitively)
 * selects from, such as child_coverage behind children_collected.
 */
export function tablesRead(check: Pick<CheckMeta, 'sql' | 'tables'>, macros: string): string[] {
  // Every pack asks the same of every check: the answer depends only on its text, its tables and the macros.
  const key = `${check.tables.join(',')}\u0000${check.sql}`;
  if (readCache.macros !== macros) readCache.tables.clear();
  readCache.macros = macros;
  const known = readCache.tables.get(key);
  if (known) return known;
  const tables = new Set(check.tables);
  const bodies = macroBodies(macros);
  const seen = new Set<string>();
  const visit = (text: string) => {
    for (const t of RULE_TABLES) if (new RegExp(`\\b(?:from|join)\\s+${t}\\b`, 'i').test(text)) tables.add(t);
    for (const [name, body] of bodies) {
      if (seen.has(name) || !new RegExp(`\\b${name}\\s*\\(`, 'i').test(text)) continue;
      seen.add(name);
      visit(body);
    }
  };
  visit(check.sql);
  const read = [...tables].sort();
  readCache.tables.set(key, read);
  return read;
}

/** One table's rows for one tenant, stored once per pack as evidence/tables/<table>.json. */
export interface TableSlice {
  table: string;
  /** How the rows were chosen. */
  selection: string;
  rows: Record<string, unknown>[];
}

export interface EvidenceFile {
  ipe: {
    check_id: string;
    tenant_id: string | null;
    /** What ran: evidence/<check>.sql, with its parameters bound; the values are listed here too. */
    query_file: string;
    params: Record<string, number | string | boolean>;
    /** The property paths the check reads (a value unknown at one of them makes its verdict unknown). */
    reads: string[];
    extracted_at: string;
    /** The input the query ran over: per table it reads, the pack file holding the rows and how many there are. */
    inputs: Record<string, { file: string; rows: number }>;
    /**
     * The collection scopes feeding these tables. Every scope (what each source said it delivered, whether it was
     * whole and how it was reconciled) is in `file`, once per pack; here are the sources that feed this check, how
     * many scopes they had, and in full the ones that were not whole, which are what withholds a verdict.
     */
    sources: {
      file: typeof SOURCES_FILE;
      sources: string[];
      scopes: number;
      incomplete: PackScope[];
    };
  };
}

export type PackScope = Pick<SourceStatus, 'source' | 'scope' | 'status' | 'error' | 'rows' | 'reconciliation'>;

/** Every collection scope a pack's evidence names, once (a tenant's scopes and the platform's). */
export const SOURCES_FILE = 'evidence/sources.json';

const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;

export const tableFile = (table: string) => `evidence/tables/${table}.json`;

/**
 * Each table's platform rows (no tenant owns them) with the tenants whose resources they name, found once per run
 * and shared by every pack: matching every row against every resource id is a cross product, too dear per tenant.
 */
export class PlatformRows {
  private readonly tables = new Map<string, Promise<{ row: Record<string, unknown>; named: string[] }[]>>();

  constructor(private readonly store: Store) {}

  of(table: string): Promise<{ row: Record<string, unknown>; named: string[] }[]> {
    let rows = this.tables.get(table);
    if (!rows) {
      rows = this.store
        .read<Record<string, unknown> & { _compline_named: string[] }>(
          `with platform as (select p.*, lower(p::varchar) as _compline_text from ${table} p where p.tenant_id is null),
                ids as (select distinct tenant_id, lower(id) as id from resources where tenant_id is not null)
           select platform.* exclude (_compline_text),
                  coalesce((select list(distinct ids.tenant_id) from ids where contains(platform._compline_text, ids.id)), [])
                    as _compline_named
           from platform order by all`,
        )
        .then((found) => found.map(({ _compline_named, ...row }) => ({ row, named: _compline_named })));
      this.tables.set(table, rows);
    }
    return rows;
  }
}

/**
 * The rows of a table a tenant's pack holds: the tenant's own, and the platform's own rows (network watchers,
 * shared workspaces decide some of a tenant's verdicts) unless one names another tenant's resource.
 */
export async function tableSlice(
  store: Store,
  table: string,
  tenant: string | null,
  platform: PlatformRows,
): Promise<TableSlice> {
  const owner = tenant === null ? 'tenant_id is null' : `tenant_id = ${sqlText(tenant)}`;
  const own = await store.read<Record<string, unknown>>(`select * from ${table} p where ${owner} order by all`);
  const shared =
    tenant === null ? [] : (await platform.of(table)).filter((p) => p.named.every((t) => t === tenant)).map((p) => p.row);
  // DuckDB hands JSON columns back as text; packed as JSON values, an auditor reads them as data.
  const jsonColumns = new Set(
    tableColumns(table)
      .filter((c) => c.type === 'json')
      .map((c) => c.name),
  );
  return {
    table,
    selection: `every row of tenant ${tenant ?? '(platform)'}${tenant !== null ? ', and platform rows naming no other tenant' : ''}`,
    rows: [...own, ...shared].map((r) => parseJsonColumns(r, jsonColumns)),
  };
}

/** The source scopes a tenant's pack may name: the platform's and its own; read once per pack. */
export function packSources(store: Store, tenant: string | null): Promise<SourceStatus[]> {
  const owner = tenant === null ? 'tenant_id is null' : `tenant_id = ${sqlText(tenant)}`;
  return store.read<SourceStatus>(
    `select source, scope, status, error, rows::integer as rows, reconciliation from source_status
     where (tenant_id is null or ${owner}) order by source, scope`,
  );
}

/** A check's IPE metadata: its query, parameters, the table slices it read and the scopes that fed them. */
export function evidenceFor(
  sources: readonly SourceStatus[],
  check: CheckMeta,
  tenant: string | null,
  slices: ReadonlyMap<string, TableSlice>,
  params: EvidenceFile['ipe']['params'],
  macros: string,
  extractedAt: string,
): EvidenceFile {
  const inputs: EvidenceFile['ipe']['inputs'] = {};
  for (const table of tablesRead(check, macros))
    inputs[table] = { file: tableFile(table), rows: slices.get(table)?.rows.length ?? 0 };
  const feeding = new Set(Object.keys(inputs).flatMap((t) => TABLE_SOURCES[t] ?? []));
  const fed = sources.filter((s) => feeding.has(s.source));
  return {
    ipe: {
      check_id: check.id,
      tenant_id: tenant,
      query_file: `evidence/${check.id}.sql`,
      params,
      reads: check.reads,
      extracted_at: extractedAt,
      inputs,
      sources: {
        file: SOURCES_FILE,
        sources: [...feeding].sort(),
        scopes: fed.length,
        incomplete: fed.filter((s) => s.status !== 'ok'),
      },
    },
  };
}

function parseJsonColumns(row: Record<string, unknown>, jsonColumns: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (jsonColumns.has(k) && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // not JSON after all: kept as text
      }
    }
    out[k] = v;
  }
  return out;
}
