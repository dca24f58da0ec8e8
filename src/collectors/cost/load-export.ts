// One cost export into the store: its kind from the header, then DuckDB reads it whole. A bad row is refused and named;
// a file that cannot be read adds nothing. Either way the file's scope is partial, so nothing built on it is complete.
import { basename } from 'node:path';
import type { SourceStatus, Store } from '../../store.js';
import {
  costSelect,
  csvReader,
  decimalColumns,
  missingColumns,
  parquetReader,
  REJECTS_TABLE,
  rejectReason,
} from './cost-select.js';
import { containerOf, firstLine, formatOf, gzipProblem, headerColumns } from './export-header.js';

export interface CostExport {
  /** Where the file is on disk (a Blob is downloaded to a temporary file first). */
  path: string;
  /** How reports and x_SourceFile name it: the path relative to the config, or `<container>/<blob>`. */
  label: string;
  /** BillingCurrency of files without that column. */
  currency?: string | undefined;
  /** The export run's manifest that lists this file, and the rows it says the file holds. */
  manifest?: { label: string; rows: number } | undefined;
}

export type ExportOutcome = Pick<SourceStatus, 'status' | 'error' | 'rows'>;

const firstLineOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n').find((l) => l.trim()) ?? 'error';

export async function loadCostExport(store: Store, runId: string, file: CostExport): Promise<ExportOutcome> {
  const partial = (why: string, rows = 0): ExportOutcome => ({ status: 'partial', error: `${file.label}: ${why}`, rows });
  let container: Awaited<ReturnType<typeof containerOf>>;
  try {
    container = await containerOf(file.path);
  } catch (e) {
    return {
      status: 'failed',
      error: `${file.label}: cannot read (${(e as NodeJS.ErrnoException).code ?? firstLineOf(e)})`,
      rows: 0,
    };
  }
  let columns: string[];
  let reader: (decimals: ReadonlyMap<string, string>) => string;
  let csv = false;
  try {
    if (container === 'parquet') {
      const described = await store.describe(`select * from read_parquet('${file.path.replaceAll("'", "''")}')`);
      columns = described.map((d) => d.column_name);
      const typed = described.map((d) => ({ name: d.column_name, type: d.column_type }));
      reader = () => parquetReader(file.path, typed);
    } else {
      const broken = container === 'gzip' ? await gzipProblem(file.path) : null;
      if (broken) return partial(`${broken}, nothing loaded`);
      const header = headerColumns(await firstLine(file.path, container));
      if ('problem' in header) return partial(header.problem);
      const names = header.columns;
      columns = names;
      reader = (decimals) => csvReader(file.path, names, container === 'gzip', decimals);
      csv = true;
    }
  } catch (e) {
    return partial(`cannot be read (${firstLineOf(e)})`);
  }
  const format = formatOf(columns, basename(file.label));
  if ('problem' in format) return partial(format.problem);
  const missing = missingColumns(columns, format, file.currency);
  if (missing.length)
    return partial(`row 0 (header): required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`);
  // A CSV's decimals are typed by read_csv itself; Parquet's come as text like every other column.
  const decimals = csv ? decimalColumns(columns, format) : new Map<string, string>();
  try {
    const load = await store.loadCosts(
      runId,
      file.label,
      costSelect({ reader: reader(decimals), decimals, columns, format, label: file.label, currency: file.currency }),
      { rejects: csv ? { table: REJECTS_TABLE, reason: rejectReason(decimals) } : null, numberRows: csv },
    );
    if (load.refused > 0)
      return partial(
        `${load.problem} (${load.refused} row${load.refused === 1 ? '' : 's'} refused, ${load.rows} loaded)`,
        load.rows,
      );
    return { status: 'ok', error: null, rows: load.rows };
  } catch (e) {
    return partial(`cannot be read, nothing loaded (${firstLineOf(e)})`);
  }
}
