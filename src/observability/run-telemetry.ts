// What a run tells its operators while it works: log lines (today's `warn: …` text, or JSON through pino with
// run_id, source and tenant), progress per source scope and tenant on a terminal, and the Prometheus metrics.
import pino, { type Logger } from 'pino';
import type { Collector, CollectorEvent } from '../collectors/collector.js';
import { RunMetrics } from './run-metrics.js';

export type LogFormat = 'text' | 'json';

export interface TelemetryOptions {
  format: LogFormat;
  /** Progress lines: on by default when stderr is a terminal, off in CI and under a scheduler. */
  progress?: boolean;
  /** Where text goes; stderr by default. */
  write?: (text: string) => void;
}

/** `warn: resource-graph partial for subscription:…: why` → the source and scope it names. */
const SOURCE_LINE = /^([a-z][a-z-]*) (partial|failed) for (\S+): /;

export class RunTelemetry {
  readonly metrics = new RunMetrics();
  private readonly json: Logger | null;
  private readonly write: (text: string) => void;
  private readonly progressOn: boolean;
  private runId: string | null = null;

  constructor(opts: TelemetryOptions) {
    this.write = opts.write ?? ((text) => process.stderr.write(text));
    this.progressOn = opts.progress ?? Boolean(process.stderr.isTTY);
    this.json =
      opts.format === 'json'
        ? pino(
            {
              base: undefined,
              timestamp: pino.stdTimeFunctions.isoTime,
              formatters: { level: (label) => ({ level: label }) },
            },
            { write: (s: string) => this.write(s) },
          )
        : null;
    this.metrics.watchHttp();
  }

  /** The run's own log interface: `warn: …` and `error: …` lines, as the run has always written them. */
  readonly line = (text: string): void => {
    if (!this.json) {
      this.write(`${text}\n`);
      return;
    }
    const m = /^(warn|error|info): (.*)$/s.exec(text);
    const level = (m?.[1] ?? 'info') as 'warn' | 'error' | 'info';
    const msg = m?.[2] ?? text;
    const source = SOURCE_LINE.exec(msg);
    this.json[level]({ run_id: this.runId, ...(source ? { source: source[1], scope: source[3] } : {}) }, msg);
  };

  /** Progress: a line on a terminal, an info record in JSON, nothing in CI. */
  progress(fields: { source?: string; tenant?: string; scope?: string }, msg: string): void {
    if (this.json) this.json.info({ run_id: this.runId, ...fields }, msg);
    else if (this.progressOn)
      this.write(`  ${[fields.source ?? fields.tenant, fields.scope].filter(Boolean).join(' ')}: ${msg}\n`);
  }

  setRun(runId: string): void {
    this.runId = runId;
  }

  phase(name: string): void {
    this.metrics.startPhase(name);
    this.progress({}, `${name}…`);
  }

  /** The collector, with its rows and scope statuses counted and reported as they come. */
  observe(collector: Collector): Collector {
    const self = this;
    return {
      source: collector.source,
      ...(collector.prepare ? { prepare: (signal?: AbortSignal) => collector.prepare!(signal) } : {}),
      async *collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
        for await (const event of collector.collect(signal)) {
          if (event.kind === 'rows') self.metrics.sourceRows(collector.source, event.rows.length);
          if (event.kind === 'iac-documents')
            self.metrics.sourceRows(
              collector.source,
              event.documents.reduce((n, d) => n + d.count, 0),
            );
          if (event.kind === 'status') {
            const s = event.status;
            self.metrics.sourceScope(s.source, s.status);
            self.progress({ source: s.source, scope: s.scope }, `${s.status} (${s.rows} rows)`);
          }
          yield event;
        }
      },
    };
  }
}
