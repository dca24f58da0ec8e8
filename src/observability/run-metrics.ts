// Prometheus metrics of one run, for the CronJob's monitoring: written as a node-exporter textfile or pushed to a
// Pushgateway once the run ends. Labels are tenants, sources, phases and endpoints, never resource names or secrets.
import { subscribe } from 'node:diagnostics_channel';
import { rename, writeFile } from 'node:fs/promises';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Counter, Gauge, Pushgateway, Registry } from 'prom-client';
import type { Finding } from '../model.js';

export class RunMetrics {
  readonly registry = new Registry();
  private readonly phaseSeconds = new Gauge({
    name: 'compline_phase_duration_seconds',
    help: 'Wall time of each phase of the run',
    labelNames: ['phase'],
    registers: [this.registry],
  });
  private readonly findings = new Gauge({
    name: 'compline_findings',
    help: 'Findings of the run by tenant, status and severity',
    labelNames: ['tenant', 'status', 'severity'],
    registers: [this.registry],
  });
  private readonly scopes = new Gauge({
    name: 'compline_source_scopes',
    help: 'Source scopes (subscriptions, clusters, files) by collection status',
    labelNames: ['source', 'status'],
    registers: [this.registry],
  });
  private readonly rows = new Counter({
    name: 'compline_source_rows_total',
    help: 'Rows delivered by each source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'compline_http_requests_total',
    help: 'HTTP requests the collectors and outputs made, by endpoint host and status code (0: no answer)',
    labelNames: ['host', 'code'],
    registers: [this.registry],
  });
  private readonly throttles = new Counter({
    name: 'compline_http_throttled_total',
    help: 'Answers 429 (throttled), by endpoint host',
    labelNames: ['host'],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'compline_http_errors_total',
    help: 'Answers 5xx and requests without an answer, by endpoint host',
    labelNames: ['host'],
    registers: [this.registry],
  });
  private readonly run = new Gauge({
    name: 'compline_run_status',
    help: 'The run: 1 for its status (ok, partial, failed) and exit code',
    labelNames: ['status', 'exit_code'],
    registers: [this.registry],
  });
  private readonly finished = new Gauge({
    name: 'compline_run_finished_timestamp_seconds',
    help: 'When the run ended (Unix time)',
    registers: [this.registry],
  });
  private phase: { name: string; started: number } | null = null;
  private unsubscribe: (() => void) | null = null;

  /** Counts every HTTP request the process makes from here on, whichever client library makes it. */
  watchHttp(): void {
    const hostOf = (req: ClientRequest) => String(req.getHeader('host') ?? req.host ?? 'unknown');
    const onResponse = (m: unknown) => {
      const { request, response } = m as { request: ClientRequest; response: IncomingMessage };
      const code = response.statusCode ?? 0;
      const host = hostOf(request);
      this.requests.inc({ host, code: String(code) });
      if (code === 429) this.throttles.inc({ host });
      if (code >= 500) this.errors.inc({ host });
    };
    const onError = (m: unknown) => {
      const host = hostOf((m as { request: ClientRequest }).request);
      this.requests.inc({ host, code: '0' });
      this.errors.inc({ host });
    };
    // http.client.request.error exists from Node 22; on 20 a request that never got an answer is not counted.
    subscribe('http.client.response.finish', onResponse);
    subscribe('http.client.request.error', onError);
    this.unsubscribe = () => {
      import('node:diagnostics_channel').then((dc) => {
        dc.unsubscribe('http.client.response.finish', onResponse);
        dc.unsubscribe('http.client.request.error', onError);
      });
    };
  }

  /** Ends the phase running (if any) and starts the next. */
  startPhase(name: string | null): void {
    const now = performance.now();
    if (this.phase) this.phaseSeconds.set({ phase: this.phase.name }, (now - this.phase.started) / 1000);
    this.phase = name ? { name, started: now } : null;
  }

  sourceRows(source: string, n: number): void {
    this.rows.inc({ source }, n);
  }

  sourceScope(source: string, status: string): void {
    this.scopes.inc({ source, status });
  }

  runFindings(findings: readonly Pick<Finding, 'tenant_id' | 'status' | 'severity'>[]): void {
    for (const f of findings) this.findings.inc({ tenant: f.tenant_id ?? '_platform', status: f.status, severity: f.severity });
  }

  runEnded(status: string, exitCode: number): void {
    this.startPhase(null);
    this.unsubscribe?.();
    this.run.set({ status, exit_code: String(exitCode) }, 1);
    this.finished.set(Date.now() / 1000);
  }

  /** A node-exporter textfile: written beside and renamed, so the collector never reads half a file. */
  async writeTextfile(path: string): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, await this.registry.metrics());
    await rename(tmp, path);
  }

  /** Replaces this job's (and shard's) metrics on the Pushgateway. */
  async push(url: string, groupings: Record<string, string>): Promise<void> {
    await new Pushgateway(url, { timeout: 10_000 }, this.registry).push({ jobName: 'compline', groupings });
  }
}
