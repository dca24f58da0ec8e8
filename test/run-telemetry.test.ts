// The run's log lines in each format: text as the run has always written it, progress only where someone watches,
// JSON records with the run id and the source or tenant they are about.
import { describe, expect, it } from 'vitest';
import { RunTelemetry } from '../src/observability/run-telemetry.js';

function capture(format: 'text' | 'json', progress: boolean) {
  const out: string[] = [];
  const t = new RunTelemetry({ format, progress, write: (s) => out.push(s) });
  return { t, out };
}

describe('run telemetry', () => {
  it('text: warnings as they were, progress per source scope and tenant on a terminal', () => {
    const { t, out } = capture('text', true);
    t.line('warn: resource-graph partial for subscription:s1: HTTP 429');
    t.progress({ source: 'resource-graph', scope: 'subscription:s1' }, 'ok (12 rows)');
    t.progress({ tenant: 'acme' }, 'pci-dss-4.0.1 3 fail, 0 error');
    expect(out).toEqual([
      'warn: resource-graph partial for subscription:s1: HTTP 429\n',
      '  resource-graph subscription:s1: ok (12 rows)\n',
      '  acme: pci-dss-4.0.1 3 fail, 0 error\n',
    ]);
  });

  it('text off a terminal: the warnings alone', () => {
    const { t, out } = capture('text', false);
    t.phase('collect');
    t.progress({ source: 'policy', scope: 'subscription:s1' }, 'ok (1 rows)');
    t.line('warn: waiver W-1 expired');
    expect(out).toEqual(['warn: waiver W-1 expired\n']);
  });

  it('json: one record a line with level, time, run_id and the source and scope a warning names', () => {
    const { t, out } = capture('json', false);
    t.setRun('r-1');
    t.line('warn: kubernetes failed for cluster:aks-1: connection failed (ECONNREFUSED)');
    t.progress({ tenant: 'acme' }, 'published');
    const [warn, info] = out.map((l) => JSON.parse(l));
    expect(warn).toMatchObject({
      level: 'warn',
      run_id: 'r-1',
      source: 'kubernetes',
      scope: 'cluster:aks-1',
      msg: 'kubernetes failed for cluster:aks-1: connection failed (ECONNREFUSED)',
    });
    expect(warn.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(info).toMatchObject({ level: 'info', run_id: 'r-1', tenant: 'acme', msg: 'published' });
    expect(out.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  });
});
