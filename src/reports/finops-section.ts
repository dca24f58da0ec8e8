// The FinOps section of each report.json: what the tenant's share of the bill was, how it was split, where money is
// wasted, the signals, and whether the numbers are whole. Read from the run's store; a tenant sees its own rows only.
import type { Signal } from '../finops/signals/signals.js';
import type { Store } from '../store.js';

export interface FinopsSection {
  /** complete: every cost scope collected whole and every split made as configured; not_collected: no cost source. */
  status: 'complete' | 'incomplete' | 'not_collected';
  reasons: string[];
  /** First and last day of cost the run allocated. */
  period: { from: string; to: string } | null;
  totals: {
    currency: string;
    total: number;
    by_service: { service: string; amount: number }[];
    /** The allocated cost of each day of the period, oldest first. */
    by_day: { day: string; amount: number }[];
    by_source: {
      source: 'direct' | 'shared-cluster' | 'shared-namespace' | 'shared-service' | 'idle' | 'unassigned';
      method: string;
      cluster: string | null;
      namespace: string | null;
      detail: string | null;
      amount: number;
    }[];
  }[];
  recommendations: {
    rule_id: string;
    resource_id: string;
    action: string | null;
    monthly_savings: number | null;
    currency: string | null;
    confidence: string | null;
    reason: string | null;
    price_sheet_date: string | null;
  }[];
  /** The tenant's anomaly and budget signals; `new`: an alert the previous nightly run did not raise. */
  signals: Omit<Signal, 'tenant_id' | 'evidence'>[];
}

/** Recommendations a report lists, largest monthly savings first. */
export const TOP_RECOMMENDATIONS = 10;

/** Each tenant's section (key: tenant id; null: the platform's unassigned and idle buckets and its own). */
export async function readFinopsSections(
  store: Store,
  runId: string,
  tenants: readonly string[],
): Promise<Map<string | null, FinopsSection>> {
  const [collected] = await store.query<{ n: number }>(
    `select (select count(*) from source_status where run_id = $1 and source = 'cost')
          + (select count(*) from costs where run_id = $1) as n`,
    [runId],
  );
  const [period] = await store.query<{ from: string | null; to: string | null }>(
    `select strftime(min(day), '%Y-%m-%d') as "from", strftime(max(day), '%Y-%m-%d') as "to" from allocations where run_id = $1`,
    [runId],
  );
  const mine = 'tenant_id is not distinct from $2::varchar';
  const out = new Map<string | null, FinopsSection>();
  for (const tenant of [...tenants, null]) {
    const p = [runId, tenant];
    const bySource = await store.query<FinopsSection['totals'][number]['by_source'][number] & { currency: string }>(
      `select currency, source, method, cluster, namespace, detail, sum(amount)::double as amount from allocations
       where run_id = $1 and ${mine} group by all order by currency, amount desc, source, method, cluster, namespace, detail`,
      p,
    );
    const byService = await store.query<{ currency: string; service: string; amount: number }>(
      `select currency, coalesce(service, '(none)') as service, sum(amount)::double as amount from allocations
       where run_id = $1 and ${mine} group by all order by currency, amount desc, service`,
      p,
    );
    const byDay = await store.query<{ currency: string; day: string; amount: number }>(
      `select currency, strftime(day, '%Y-%m-%d') as day, sum(amount)::double as amount from allocations
       where run_id = $1 and ${mine} group by all order by currency, day`,
      p,
    );
    const currencies = [...new Set(bySource.map((r) => r.currency))];
    const cents = (x: number) => Math.round(x * 100) / 100;
    const reasons = (
      await store.query<{ reason: string }>(
        `select distinct reason from allocation_gaps where run_id = $1 and ${mine} order by reason`,
        p,
      )
    ).map((r) => r.reason);
    out.set(tenant, {
      status: Number(collected?.n ?? 0) === 0 ? 'not_collected' : reasons.length ? 'incomplete' : 'complete',
      reasons: Number(collected?.n ?? 0) === 0 ? ['no cost source was collected'] : reasons,
      period: period?.from && period.to ? { from: period.from, to: period.to } : null,
      totals: currencies.map((currency) => ({
        currency,
        total: cents(bySource.filter((r) => r.currency === currency).reduce((s, r) => s + r.amount, 0)),
        by_service: byService.filter((r) => r.currency === currency).map(({ service, amount }) => ({ service, amount })),
        by_day: byDay.filter((r) => r.currency === currency).map(({ day, amount }) => ({ day, amount: cents(amount) })),
        by_source: bySource.filter((r) => r.currency === currency).map(({ currency: _, ...r }) => r),
      })),
      recommendations: await store.query<FinopsSection['recommendations'][number]>(
        `select rule_id, resource_id, action, monthly_savings::double as monthly_savings, currency, confidence, reason,
                strftime(price_sheet_date, '%Y-%m-%d') as price_sheet_date
         from recommendations where run_id = $1 and ${mine} and coalesce(status, 'recommend') = 'recommend'
         order by monthly_savings desc nulls last, rule_id, resource_id limit ${TOP_RECOMMENDATIONS}`,
        p,
      ),
      signals: await store.query<FinopsSection['signals'][number]>(
        `select kind, strftime(day, '%Y-%m-%d') as day, status, amount::double as amount, expected::double as expected, score,
                threshold, currency, reason, coalesce(new, false) as new
         from finops_signals where run_id = $1 and ${mine} order by kind, currency`,
        p,
      ),
    });
  }
  return out;
}
