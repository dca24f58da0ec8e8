// finops.signals: cost anomaly and budget forecast per tenant.
import { z } from 'zod';

const tenantId = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'expected a tenant id');

const anomaly = z.strictObject({
  /** A day is anomalous when its robust z-score (0.6745 × (cost − median) / MAD) reaches this, either way. */
  threshold: z.number().positive().default(3.5),
  /** Days before the judged day that make its history. */
  window_days: z.int().min(7).max(365).default(30),
  /** Fewer days of cost in the window than this: no signal, and the signal says why. */
  min_history_days: z.int().min(3).max(365).default(14),
});

const budget = z.strictObject({
  /** Budget for one calendar month. */
  monthly: z.number().positive(),
  /** ISO 4217 code; the tenant's cost in another currency is not compared. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code, e.g. EUR'),
});

export const signalsConfig = z
  .strictObject({
    anomaly: anomaly.prefault({}),
    /** Days the forecast averages: month-to-date + their daily average × days left in the month. */
    forecast_trailing_days: z.int().min(1).max(31).default(7),
    /** Monthly budgets by tenant id. */
    budgets: z.record(tenantId, budget).default({}),
  })
  .prefault({});
export type SignalsConfig = z.infer<typeof signalsConfig>;

/** Budgets of tenants the config does not declare, and a window that cannot hold the history asked for. */
export function signalsProblems(raw: unknown, tenantIds: ReadonlySet<string>): string[] {
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const problems = Object.keys(obj(obj(raw)?.budgets) ?? {})
    .filter((t) => !tenantIds.has(t))
    .map((t) => `finops.signals.budgets.${t}: no tenant ${t}`);
  const a = obj(obj(raw)?.anomaly);
  const window = typeof a?.window_days === 'number' ? a.window_days : 30;
  if (typeof a?.min_history_days === 'number' && a.min_history_days > window)
    problems.push(`finops.signals.anomaly.min_history_days: ${a.min_history_days} is more than window_days ${window}`);
  return problems;
}
