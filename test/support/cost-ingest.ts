// Runs a cost collector into a store the way `compline run` handles its events, and returns the scopes' statuses.
import type { Collector } from '../../src/collectors/collector.js';
import { reconcileExport } from '../../src/collectors/cost/export-manifest.js';
import { loadCostExport } from '../../src/collectors/cost/load-export.js';
import type { SourceStatus, Store } from '../../src/store.js';

export async function ingestCosts(collector: Collector, store: Store, runId: string) {
  const statuses: Omit<SourceStatus, 'tenant_id'>[] = [];
  for await (const e of collector.collect()) {
    if (e.kind === 'cost-export') {
      const outcome = reconcileExport(await loadCostExport(store, runId, e.file), e.file);
      statuses.push({ source: 'cost', scope: `file:${e.file.label}`, ...outcome });
    } else if (e.kind === 'rows' && e.table === 'costs') await store.appendCosts(runId, e.rows);
    else if (e.kind === 'status') statuses.push(e.status);
  }
  return statuses;
}

/** The run's cost rows, JSON as DuckDB gives it (decimals as strings, times as text), ordered by file and row. */
export async function costRows(store: Store, runId: string, columns = '*'): Promise<Record<string, unknown>[]> {
  await store.scopeToRun(runId);
  return store.read(
    `select ${columns} from costs order by x_SourceFile, x_SourceRow, ChargePeriodStart, ResourceId nulls first, x_ResourceGroupName`,
  );
}
