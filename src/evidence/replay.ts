// Re-performs a pack's tests: its own SQL and macros over its own rows in a fresh DuckDB, through the same engine,
// verdicts compared with the ones it reports. An auditor needs neither Azure nor the estate, only the pack.
import { evaluate } from '../engine.js';
import type { CheckMeta, FindingStatus, Severity } from '../model.js';
import type { TenantReport } from '../reports/tenant-report.js';
import { Store } from '../store.js';
import { type EvidenceFile, type PackScope, SOURCES_FILE, type TableSlice } from './evidence-rows.js';
import { FINOPS_FILES } from './finops-evidence.js';

export interface ReplayedCheck {
  check_id: string;
  findings: number;
  /** Subjects whose verdict differs, or that only one side has. */
  differences: { resource_id: string; reported: FindingStatus | null; replayed: FindingStatus | null }[];
}

const RUN = 'replay';

/** The scopes a pack records: evidence/sources.json, or in a version 1 pack each evidence file's own list. */
function packScopes(files: ReadonlyMap<string, Buffer>, ipes: Iterable<EvidenceFile['ipe']>): PackScope[] {
  if (files.has(SOURCES_FILE)) return json<{ scopes: PackScope[] }>(files, SOURCES_FILE).scopes;
  return [...ipes].flatMap((ipe) => (Array.isArray(ipe.sources) ? (ipe.sources as PackScope[]) : []));
}
const json = <T>(files: ReadonlyMap<string, Buffer>, path: string): T => JSON.parse(files.get(path)!.toString('utf8')) as T;

export async function replayChecks(files: ReadonlyMap<string, Buffer>, checkIds: readonly string[]): Promise<ReplayedCheck[]> {
  const report = json<TenantReport>(files, 'report.json');
  const tenant = report.tenant?.id ?? null;
  const evidence = new Map(checkIds.map((id) => [id, json<EvidenceFile>(files, `evidence/${id}.json`).ipe]));
  const checks: CheckMeta[] = checkIds.map((id) => {
    const reported = report.findings.find((f) => f.check_id === id);
    const ipe = evidence.get(id)!;
    return {
      id,
      title: reported?.title ?? id,
      severity: (reported?.severity ?? 'medium') as Severity,
      tables: Object.keys(ipe.inputs),
      reads: ipe.reads,
      requirements: {},
      params: {},
      remediation: {},
      dir: '',
      sql: files.get(`evidence/${id}.sql`)!.toString('utf8'),
    };
  });
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    await store.beginRun({ runId: RUN, mode: 'nightly', toolVersion: report.run.tool_version, configSha256: null });
    const inputs = new Set([...evidence.values()].flatMap((ipe) => Object.values(ipe.inputs).map((i) => i.file)));
    for (const file of [...inputs].sort()) {
      const slice = json<TableSlice>(files, file);
      await store.insertJsonRows(RUN, slice.table, slice.rows);
    }
    // The scopes as the run recorded them; each check lists the ones feeding its tables.
    const scopes = new Map<string, PackScope>();
    for (const s of packScopes(files, evidence.values())) scopes.set(`${s.source}\u0000${s.scope}`, s);
    await store.insertJsonRows(
      RUN,
      'source_status',
      [...scopes.values()].map((s) => ({ ...s, tenant_id: tenant })),
    );
    const { findings } = await evaluate(store, checks, {
      runId: RUN,
      tenantIds: tenant ? [tenant] : [],
      waivers: [...report.waivers.active, ...report.waivers.expired.map((e) => e.waiver)],
      params: {},
      today: report.run.started_at.slice(0, 10),
      macros: files.get('macros.sql')!.toString('utf8'),
    });
    return checkIds.map((id) => {
      const replayed = new Map(
        findings.filter((f) => f.check_id === id && f.tenant_id === tenant).map((f) => [f.resource_id, f.status]),
      );
      const reported = report.findings.filter((f) => f.check_id === id);
      const expected = new Map(reported.map((f) => [f.resource_id, f.status]));
      const differences: ReplayedCheck['differences'] = [];
      for (const rid of [...new Set([...expected.keys(), ...replayed.keys()])].sort()) {
        const a = expected.get(rid) ?? null;
        const b = replayed.get(rid) ?? null;
        if (a !== b) differences.push({ resource_id: rid, reported: a, replayed: b });
      }
      return { check_id: id, findings: reported.length, differences };
    });
  } finally {
    store.close();
  }
}

export interface ReplayedTotal {
  currency: string;
  reported: number | null;
  replayed: number | null;
}

/**
 * Re-computes the report's cost totals: the pack's own totals query over its own allocation rows, compared with
 * report.json's finops.totals. Null when the pack has no FinOps evidence (the run collected no cost).
 */
export async function replayFinops(files: ReadonlyMap<string, Buffer>): Promise<ReplayedTotal[] | null> {
  if (!files.has(FINOPS_FILES.ipe)) return null;
  const report = json<TenantReport>(files, 'report.json');
  const slice = json<TableSlice>(files, FINOPS_FILES.allocations);
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    await store.beginRun({ runId: RUN, mode: 'nightly', toolVersion: report.run.tool_version, configSha256: null });
    await store.insertJsonRows(RUN, 'allocations', slice.rows);
    await store.scopeToRun(RUN);
    const rows = await store.read<{ currency: string; breakdown: string; amount: number }>(
      files.get(FINOPS_FILES.query)!.toString('utf8').replace(/;\s*$/, ''),
    );
    const replayed = new Map(
      rows.filter((r) => r.breakdown === 'total').map((r) => [r.currency, Math.round(Number(r.amount) * 100) / 100]),
    );
    const reported = new Map((report.finops?.totals ?? []).map((t) => [t.currency, t.total]));
    return [...new Set([...reported.keys(), ...replayed.keys()])]
      .sort()
      .map((currency) => ({ currency, reported: reported.get(currency) ?? null, replayed: replayed.get(currency) ?? null }));
  } finally {
    store.close();
  }
}
