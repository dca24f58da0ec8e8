// Per tenant: a daily cost anomaly (robust z-score over the previous days) and a budget forecast, into
// `finops_signals` for the alerting step. Daily totals come from the allocations: this run's, and for days it does not
// cover, the latest earlier nightly run's.
import type { FinopsContext } from '../context.js';

export interface Signal {
  tenant_id: string;
  kind: 'anomaly' | 'budget';
  day: string | null;
  status: 'ok' | 'alert' | 'insufficient_data';
  amount: number | null;
  expected: number | null;
  score: number | null;
  threshold: number | null;
  currency: string | null;
  reason: string;
  evidence: Record<string, unknown>;
  /** An alert the tenant's previous nightly run did not raise (an anomaly of the same day, a breach of the same month). */
  new: boolean;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cents = (x: number) => Math.round(x * 100) / 100;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Iglewicz and Hoaglin's modified z-score: 0.6745 × (x − median) / MAD; when the MAD is 0 (over half the days equal),
 * the mean absolute deviation × 1.253314 stands in; when that is 0 too, any change is infinitely far (score null).
 */
export function robustZ(x: number, history: readonly number[]): { z: number | null; median: number; mad: number } {
  const m = median(history);
  const mad = median(history.map((h) => Math.abs(h - m)));
  if (mad > 0) return { z: (0.6745 * (x - m)) / mad, median: m, mad };
  const meanAd = history.reduce((s, h) => s + Math.abs(h - m), 0) / history.length;
  if (meanAd > 0) return { z: (x - m) / (1.253314 * meanAd), median: m, mad };
  return { z: x === m ? 0 : null, median: m, mad };
}

export async function computeSignals(ctx: FinopsContext): Promise<void> {
  const { store, runId, config } = ctx;
  const settings = config.finops.signals;
  await store.query('delete from finops_signals where run_id = $1', [runId]);
  const rows = await store.query<{ tenant_id: string | null; day: string; currency: string; amount: number }>(
    `with runs_before as (
       select run_id, started_at from runs
       where run_id = $1 or (mode = 'nightly' and status <> 'running' and started_at <= (select started_at from runs where run_id = $1))
     ),
     daily as (
       select a.tenant_id, a.day, a.currency, a.run_id, r.started_at, sum(a.amount) as amount
       from allocations a join runs_before r using (run_id) group by all
     ),
     latest as (select day, currency, arg_max(run_id, started_at) as run_id from daily group by all)
     select d.tenant_id, strftime(d.day, '%Y-%m-%d') as day, d.currency, sum(d.amount)::double as amount
     from daily d join latest l using (day, currency, run_id) group by all order by all`,
    [runId],
  );
  const gaps = await store.query<{ tenant_id: string | null; reason: string }>(
    'select tenant_id, reason from allocation_gaps where run_id = $1',
    [runId],
  );
  const covered = new Map<string, Set<string>>();
  const byTenant = new Map<string, number>();
  for (const r of rows) {
    if (!covered.has(r.currency)) covered.set(r.currency, new Set());
    covered.get(r.currency)!.add(r.day);
    if (r.tenant_id) byTenant.set(`${r.tenant_id}\u0000${r.currency}\u0000${r.day}`, r.amount);
  }
  const cost = (tenant: string, currency: string, day: string) => byTenant.get(`${tenant}\u0000${currency}\u0000${day}`) ?? 0;
  const signals: Signal[] = [];
  const a = settings.anomaly;
  for (const tenant of config.tenants) {
    const incomplete = gaps.filter((g) => g.tenant_id === tenant.id).map((g) => g.reason);
    // Incomplete data can still show a breach (a lower bound exceeds); it can never show that all is well.
    const guard = (s: Signal): Signal =>
      s.status === 'ok' && incomplete.length
        ? { ...s, status: 'insufficient_data', reason: `${s.reason}; but the allocation is incomplete: ${incomplete[0]}` }
        : s;
    const currencies = [...covered].filter(([cur, days]) =>
      [...days].some((d) => byTenant.has(`${tenant.id}\u0000${cur}\u0000${d}`)),
    );
    if (!currencies.length)
      signals.push({
        ...blank(tenant.id, 'anomaly'),
        threshold: a.threshold,
        reason: 'no cost allocated to the tenant: nothing to judge',
      });
    for (const [currency, days] of currencies) {
      const day = [...days].sort().at(-1)!;
      const from = addDays(day, -a.window_days);
      const history = [...days].filter((d) => d >= from && d < day).sort();
      const x = cost(tenant.id, currency, day);
      const base = { ...blank(tenant.id, 'anomaly'), day, currency, amount: cents(x), threshold: a.threshold };
      if (history.length < a.min_history_days) {
        signals.push({
          ...base,
          reason: `${history.length} days of cost history in the ${a.window_days} before ${day}; ${a.min_history_days} needed: no anomaly signal`,
          evidence: { history_days: history.length },
        });
        continue;
      }
      const values = history.map((d) => cost(tenant.id, currency, d));
      const { z, median: m, mad } = robustZ(x, values);
      const alert = z === null || Math.abs(z) >= a.threshold;
      const dir = x >= m ? 'above' : 'below';
      signals.push(
        guard({
          ...base,
          status: alert ? 'alert' : 'ok',
          expected: cents(m),
          score: z,
          reason: alert
            ? `${currency} ${cents(x)} on ${day} is ${dir} the median ${cents(m)} of ${history.length} days (robust z ${z === null ? 'infinite: the history is constant' : z.toFixed(1)}, threshold ${a.threshold})`
            : `${currency} ${cents(x)} on ${day} is within the usual range (robust z ${z!.toFixed(1)}, threshold ${a.threshold})`,
          evidence: { history_days: history.length, median: m, mad, from: history[0], to: history.at(-1) },
        }),
      );
    }
    const budget = settings.budgets[tenant.id];
    if (budget)
      signals.push(guard(budgetSignal(tenant.id, budget, covered.get(budget.currency), cost, settings.forecast_trailing_days)));
  }
  // Alerts say what is new: the previous run's alerts for the same day (anomaly) or month (budget) are not news again.
  const before = await store.query<{ tenant_id: string; kind: string; day: string }>(
    `select tenant_id, kind, strftime(day, '%Y-%m-%d') as day from finops_signals
     where status = 'alert' and run_id = (select run_id from runs where run_id <> $1 and mode = 'nightly' and status <> 'running'
       and started_at <= (select started_at from runs where run_id = $1) order by started_at desc limit 1)`,
    [runId],
  );
  const period = (kind: string, day: string | null) => (kind === 'budget' ? day?.slice(0, 7) : day);
  const seen = new Set(before.map((b) => `${b.tenant_id}\u0000${b.kind}\u0000${period(b.kind, b.day)}`));
  await store.insertJsonRows(
    runId,
    'finops_signals',
    signals.map((s) => ({
      ...s,
      new: s.status === 'alert' && !seen.has(`${s.tenant_id}\u0000${s.kind}\u0000${period(s.kind, s.day)}`),
    })),
  );
}

const blank = (tenant: string, kind: Signal['kind']): Signal => ({
  tenant_id: tenant,
  kind,
  day: null,
  status: 'insufficient_data',
  amount: null,
  expected: null,
  score: null,
  threshold: null,
  currency: null,
  reason: '',
  evidence: {},
  new: false,
});

/** Forecast for the month of the last day with cost: month-to-date + trailing daily average × days left. */
function budgetSignal(
  tenant: string,
  budget: { monthly: number; currency: string },
  days: Set<string> | undefined,
  cost: (tenant: string, currency: string, day: string) => number,
  trailing: number,
): Signal {
  const base = { ...blank(tenant, 'budget'), currency: budget.currency, expected: budget.monthly, threshold: budget.monthly };
  if (!days?.size) return { ...base, reason: `no cost in ${budget.currency} to compare with the budget` };
  const asOf = [...days].sort().at(-1)!;
  const month = asOf.slice(0, 7);
  const dayOfMonth = Number(asOf.slice(8));
  const inMonth = Array.from({ length: dayOfMonth }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  const missing = inMonth.filter((d) => !days.has(d));
  const mtd = inMonth.reduce((s, d) => s + cost(tenant, budget.currency, d), 0);
  const recent = [...days]
    .filter((d) => d <= asOf)
    .sort()
    .slice(-trailing);
  const avg = recent.reduce((s, d) => s + cost(tenant, budget.currency, d), 0) / recent.length;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const daysLeft = new Date(Date.UTC(y, m, 0)).getUTCDate() - dayOfMonth;
  const forecast = mtd + avg * daysLeft;
  const breach = forecast > budget.monthly;
  const evidence = {
    month,
    as_of: asOf,
    month_to_date: cents(mtd),
    daily_average: cents(avg),
    trailing_days: recent.length,
    days_left: daysLeft,
  };
  const text = `${month} forecast ${budget.currency} ${cents(forecast)} (month to date ${cents(mtd)} + ${cents(avg)} a day × ${daysLeft} days left) against a budget of ${budget.monthly}`;
  if (missing.length && !breach)
    return {
      ...base,
      day: asOf,
      amount: cents(forecast),
      reason: `${text}; ${missing.length} days of the month have no cost data`,
      evidence,
    };
  return {
    ...base,
    day: asOf,
    status: breach ? 'alert' : 'ok',
    amount: cents(forecast),
    score: forecast / budget.monthly,
    reason: `${text}${breach ? ': forecast over budget' : ''}`,
    evidence,
  };
}
