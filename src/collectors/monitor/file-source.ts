// Utilisation replayed from JSON files: VM metrics per resource and day, container usage per cluster, namespace, pod
// and container, as the live collectors compute them (the shape is in the README). Figures are stored as written;
// a file with one bad row is refused whole, naming the row and field, so nothing of it is half-stored.
import { z } from 'zod';
import type { K8sUsageRow, MetricRow } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { jsonDocuments } from '../json-files.js';

const SOURCE = 'monitor';
const figure = z.number().nonnegative().nullable();
const count = z.int().nonnegative();

const metricRow = z.strictObject({
  resource_id: z.string().regex(/^\/subscriptions\//i, 'expected an ARM resource id'),
  metric: z.string().min(1),
  day: z.iso.date(),
  avg: figure,
  max: figure,
  p95: figure,
  /** Optional: Available Memory Bytes needs it to judge memory; other metrics may leave it out. */
  min: figure.default(null),
  samples: count,
});

const usageRow = z.strictObject({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  pod: z.string().min(1).nullable(),
  container: z.string().min(1).nullable(),
  cpu_p95_mcores: figure,
  cpu_avg_mcores: figure,
  mem_max_bytes: figure,
  mem_avg_bytes: figure,
  samples: count,
  history_hours: figure,
  window_days: z.int().min(1),
});

const usageFile = z.strictObject({
  metrics: z.array(metricRow).default([]),
  k8s_usage: z.array(usageRow).default([]),
});

/** Where a file's first problem is (`k8s_usage[3].samples`) and what it is. */
function problemOf(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('');
  return `${where || 'document'}: ${issue.message}`;
}

export class MonitorFileSource implements Collector {
  readonly source = SOURCE;
  constructor(
    private readonly paths: readonly string[],
    private readonly baseDir: string,
  ) {}

  async *collect(): AsyncIterable<CollectorEvent> {
    for await (const file of jsonDocuments(this.paths, this.baseDir)) {
      const scope = `file:${file.label}`;
      if (file.problem !== undefined) {
        yield status(scope, 'failed', file.problem, 0);
        continue;
      }
      const parsed = usageFile.safeParse(file.doc);
      if (!parsed.success) {
        yield status(scope, 'failed', problemOf(parsed.error), 0);
        continue;
      }
      const metrics: MetricRow[] = parsed.data.metrics.map((m) => ({
        ...m,
        resource_id: m.resource_id.toLowerCase(),
        tenant_id: null,
      }));
      const usage: K8sUsageRow[] = parsed.data.k8s_usage.map((u) => ({ ...u, tenant_id: null }));
      if (metrics.length) yield { kind: 'rows', table: 'metrics', rows: metrics };
      if (usage.length) yield { kind: 'rows', table: 'k8s_usage', rows: usage };
      yield status(scope, 'ok', null, metrics.length + usage.length);
    }
  }
}

function status(scope: string, state: 'ok' | 'failed', error: string | null, rows: number): CollectorEvent {
  return { kind: 'status', status: { source: SOURCE, scope, status: state, error, rows } };
}
