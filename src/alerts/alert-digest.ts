// What one tenant's alert says: only what changed since its previous run. Pure: the published report in, the digest out.
import { SEVERITIES, type Severity } from '../model.js';
import type { TenantReport } from '../reports/tenant-report.js';
import type { PreviousRun } from '../store.js';

export interface AlertFailure {
  change: 'new' | 'regressed';
  check_id: string;
  title: string;
  severity: Severity;
  resource_id: string;
  reason: string;
}

export interface AlertDigest {
  tenant: { id: string; name: string };
  run: { run_id: string; status: TenantReport['run']['status']; started_at: string };
  /** New or regressed failures at or above the route's severity, worst first. */
  failures: AlertFailure[];
  /** Waivers that lapsed since the previous run: their findings count as failures again. */
  expired_waivers: { id: string; check: string; expires: string; matched: number }[];
  /** Source scopes of this tenant (or the whole platform) not collected whole, that were whole in the previous run. */
  incomplete_sources: { source: string; scope: string; status: string; error: string | null }[];
  /** Cost anomalies and budget forecast breaches raised for the first time. */
  cost_signals: { kind: 'anomaly' | 'budget'; day: string | null; currency: string | null; reason: string }[];
}

export const isEmpty = (d: AlertDigest): boolean =>
  !d.failures.length && !d.expired_waivers.length && !d.incomplete_sources.length && !d.cost_signals.length;

/**
 * A waiver lapses the day after `expires`; it is news once, on the first run after it lapsed: it was still valid
 * on the previous run's day. A scope is news when the previous run collected it whole (or there was none).
 */
export function alertDigest(
  report: TenantReport,
  previous: PreviousRun | null,
  incompleteBefore: ReadonlySet<string>,
  minSeverity: Severity,
): AlertDigest | null {
  if (!report.tenant) return null;
  const min = SEVERITIES.indexOf(minSeverity);
  const byPair = new Map(report.findings.map((f) => [`${f.check_id}\u0000${f.resource_id}`, f]));
  const failures: AlertFailure[] = [];
  for (const [change, entries] of [
    ['new', report.delta.new],
    ['regressed', report.delta.regressed],
  ] as const) {
    for (const e of entries) {
      const f = byPair.get(`${e.check_id}\u0000${e.resource_id}`);
      if (!f || SEVERITIES.indexOf(f.severity) < min) continue;
      failures.push({
        change,
        check_id: f.check_id,
        title: f.title,
        severity: f.severity,
        resource_id: f.resource_id,
        reason: f.reason,
      });
    }
  }
  failures.sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
  return {
    tenant: { id: report.tenant.id, name: report.tenant.name },
    run: { run_id: report.run.run_id, status: report.run.status, started_at: report.run.started_at },
    failures,
    expired_waivers: report.waivers.expired
      .filter((e) => !previous || e.waiver.expires >= previous.day)
      .map((e) => ({ id: e.waiver.id, check: e.waiver.check, expires: e.waiver.expires, matched: e.matched })),
    incomplete_sources: report.sources
      .filter((s) => s.status !== 'ok' && !incompleteBefore.has(`${s.source}\u0000${s.scope}`))
      .map((s) => ({ source: s.source, scope: s.scope, status: s.status, error: s.error })),
    cost_signals: (report.finops?.signals ?? [])
      .filter((s) => s.status === 'alert' && s.new)
      .map((s) => ({ kind: s.kind, day: s.day, currency: s.currency, reason: s.reason })),
  };
}

/** One line that says what the digest holds, for subjects and titles. */
export function digestTitle(d: AlertDigest): string {
  const parts: string[] = [];
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const fresh = d.failures.filter((f) => f.change === 'new').length;
  const back = d.failures.length - fresh;
  if (fresh) parts.push(`${count(fresh, 'new failure')}`);
  if (back) parts.push(`${back} regressed`);
  if (d.expired_waivers.length) parts.push(count(d.expired_waivers.length, 'waiver expired', 'waivers expired'));
  if (d.incomplete_sources.length)
    parts.push(`run ${d.run.status}: ${count(d.incomplete_sources.length, 'source scope')} incomplete`);
  const anomalies = d.cost_signals.filter((s) => s.kind === 'anomaly').length;
  if (anomalies) parts.push(count(anomalies, 'cost anomaly', 'cost anomalies'));
  if (d.cost_signals.length > anomalies) parts.push('budget forecast breach');
  return `[Compline] ${d.tenant.name}: ${parts.join(', ')}`;
}

/** Messages list this many failures and point at the report for the rest. */
export const MAX_LISTED = 20;
