// The evidence behind a report's FinOps section: the tenant's own allocation and recommendation rows, the query that
// turns them into the report's totals, and IPE metadata that shows the totals whole: recomputed from the packed rows
// and compared with the report, held to the run's cost scopes and how each was reconciled with its source.
import type { FinopsSection } from '../reports/finops-section.js';
import type { SourceStatus, Store } from '../store.js';
import type { EvidenceFile, PackScope } from './evidence-rows.js';

export const FINOPS_FILES = {
  allocations: 'evidence/finops/allocations.json',
  recommendations: 'evidence/finops/recommendations.json',
  query: 'evidence/finops/totals.sql',
  ipe: 'evidence/finops/ipe.json',
} as const;

/** Re-run over evidence/finops/allocations.json loaded as `allocations`, it gives report.json's finops.totals. */
export const TOTALS_SQL = `-- report.json finops.totals: each currency's total and its split by service and by source, from the tenant's
-- allocation rows (evidence/finops/allocations.json). Amounts are per day, to the cent, and carry their method.
select currency, 'total' as breakdown, null as item, null as method, sum(amount) as amount
from allocations group by currency
union all
select currency, 'service', coalesce(service, '(none)'), null, sum(amount) from allocations group by all
union all
select currency, 'source', source || coalesce(' ' || cluster, '') || coalesce(' ' || namespace, '') || coalesce(' ' || detail, ''),
       method, sum(amount)
from allocations group by all
order by currency, breakdown, amount desc, item;
`;

export interface FinopsIpe {
  ipe: Pick<EvidenceFile['ipe'], 'tenant_id' | 'query_file' | 'extracted_at' | 'inputs'> & {
    subject: 'finops';
    /** The cost, monitor and Kubernetes scopes, each with how it was reconciled: a few per run, so listed whole. */
    sources: PackScope[];
    /** The report's totals against the same totals recomputed from the packed rows: equal, or the pack says not. */
    totals: { currency: string; reported: number; recomputed: number; equal: boolean }[];
    /** What the run checked before it wrote any report. */
    allocation_check: string;
    status: FinopsSection['status'];
    reasons: string[];
  };
}

const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;
const cents = (x: number) => Math.round(x * 100) / 100;

/** The FinOps evidence files of one tenant's pack (null: the platform's unassigned and idle buckets). */
export async function finopsEvidence(
  store: Store,
  tenant: string | null,
  finops: FinopsSection,
  sources: readonly SourceStatus[],
  extractedAt: string,
): Promise<{ path: string; data: string }[]> {
  const owner = tenant === null ? 'tenant_id is null' : `tenant_id = ${sqlText(tenant)}`;
  // Only the tenant's own rows: a platform row here would be other tenants' cost.
  const allocations = await store.read<Record<string, unknown>>(
    `select strftime(day, '%Y-%m-%d') as day, source, amount::double as amount, currency, method, service, cluster,
            namespace, detail
     from allocations where ${owner} order by all`,
  );
  const recommendations = await store.read<Record<string, unknown>>(
    `select rule_id, resource_id, status, action, current, proposed, monthly_savings::double as monthly_savings, currency,
            confidence, reason, evidence, strftime(price_sheet_date, '%Y-%m-%d') as price_sheet_date
     from recommendations where ${owner} order by rule_id, resource_id`,
  );
  const recomputed = new Map<string, number>();
  for (const a of allocations) {
    const c = String(a.currency);
    recomputed.set(c, (recomputed.get(c) ?? 0) + Number(a.amount));
  }
  const currencies = [...new Set([...recomputed.keys(), ...finops.totals.map((t) => t.currency)])].sort();
  const days = new Set(allocations.map((a) => a.day)).size;
  const ipe: FinopsIpe = {
    ipe: {
      subject: 'finops',
      tenant_id: tenant,
      query_file: FINOPS_FILES.query,
      extracted_at: extractedAt,
      inputs: {
        allocations: { file: FINOPS_FILES.allocations, rows: allocations.length },
        recommendations: { file: FINOPS_FILES.recommendations, rows: recommendations.length },
      },
      sources: sources.filter((s) => ['cost', 'monitor', 'kubernetes'].includes(s.source)),
      totals: currencies.map((currency) => {
        const reported = finops.totals.find((t) => t.currency === currency)?.total ?? 0;
        const again = cents(recomputed.get(currency) ?? 0);
        return { currency, reported, recomputed: again, equal: reported === again };
      }),
      allocation_check:
        `the run's allocations equal its collected cost to the cent for every day and currency (checked before any ` +
        `report is written: a run that breaks it stops); this share covers ${days} day(s)`,
      status: finops.status,
      reasons: finops.reasons,
    },
  };
  const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  return [
    {
      path: FINOPS_FILES.allocations,
      data: json({ table: 'allocations', selection: `every allocation row of ${tenant ?? '(platform)'}`, rows: allocations }),
    },
    {
      path: FINOPS_FILES.recommendations,
      data: json({
        table: 'recommendations',
        selection: `every recommendation row of ${tenant ?? '(platform)'}`,
        rows: recommendations.map((r) => parsed(r, ['current', 'proposed', 'evidence'])),
      }),
    },
    { path: FINOPS_FILES.query, data: TOTALS_SQL },
    { path: FINOPS_FILES.ipe, data: json(ipe) },
  ];
}

function parsed(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out = { ...row };
  for (const c of columns)
    if (typeof out[c] === 'string')
      try {
        out[c] = JSON.parse(out[c] as string);
      } catch {
        // kept as text
      }
  return out;
}
