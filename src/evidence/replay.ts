// Re-performs a pack's tests: its own SQL and macros over its own rows in a fresh DuckDB, verdicts compared with
// the ones it reports. An auditor needs neither Azure nor the estate, only the pack.
import { evaluate } from '../engine.js';
import type { CheckMeta, FindingStatus, Severity } from '../model.js';
import type { TenantReport } from '../reports/tenant-report.js';
import { Store } from '../store.js';
import type { EvidenceFile } from './evidence-rows.js';

export interface ReplayedCheck {
  check_id: string;
  findings: number;
  /** Subjects whose verdict differs, or that only one side has. */
  differences: { resource_id: string; reported: FindingStatus | null; replayed: FindingStatus | null }[];
}

/** Each check replays as its own run in one store: a run's rows are all its queries see. */
export async function replayChecks(files: ReadonlyMap<string, Buffer>, checkIds: readonly string[]): Promise<ReplayedCheck[]> {
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    const report = JSON.parse(files.get('report.json')!.toString('utf8')) as TenantReport;
    const macros = files.get('macros.sql')!.toString('utf8');
    const out: ReplayedCheck[] = [];
    for (const [i, id] of checkIds.entries()) out.push(await replayCheck(store, files, report, macros, id, `replay-${i}`));
    return out;
  } finally {
    store.close();
  }
}

async function replayCheck(
  store: Store,
  files: ReadonlyMap<string, Buffer>,
  report: TenantReport,
  macros: string,
  checkId: string,
  runId: string,
): Promise<ReplayedCheck> {
  const evidence = JSON.parse(files.get(`evidence/${checkId}.json`)!.toString('utf8')) as EvidenceFile;
  const sql = files.get(`evidence/${checkId}.sql`)!.toString('utf8');
  const reported = report.findings.filter((f) => f.check_id === checkId);
  const tenant = report.tenant?.id ?? null;
  const check: CheckMeta = {
    id: checkId,
    title: reported[0]?.title ?? checkId,
    severity: (reported[0]?.severity ?? 'medium') as Severity,
    tables: Object.keys(evidence.tables),
    reads: evidence.ipe.reads,
    requirements: {},
    params: {},
    remediation: {},
    dir: '',
    sql,
  };
  await store.beginRun({ runId, mode: 'nightly', toolVersion: report.run.tool_version, configSha256: null });
  for (const [table, rows] of Object.entries(evidence.tables)) await store.insertJsonRows(runId, table, rows);
  await store.insertJsonRows(
    runId,
    'source_status',
    evidence.ipe.sources.map((s) => ({ ...s, tenant_id: tenant })),
  );
  const waivers = [...report.waivers.active, ...report.waivers.expired.map((e) => e.waiver)];
  const { findings } = await evaluate(store, [check], {
    runId,
    tenantIds: tenant ? [tenant] : [],
    waivers,
    params: {},
    today: report.run.started_at.slice(0, 10),
    macros,
  });
  const replayed = new Map(findings.filter((f) => f.tenant_id === tenant).map((f) => [f.resource_id, f.status]));
  const expected = new Map(reported.map((f) => [f.resource_id, f.status]));
  const differences: ReplayedCheck['differences'] = [];
  for (const id of [...new Set([...expected.keys(), ...replayed.keys()])].sort()) {
    const a = expected.get(id) ?? null;
    const b = replayed.get(id) ?? null;
    if (a !== b) differences.push({ resource_id: id, reported: a, replayed: b });
  }
  return { check_id: checkId, findings: reported.length, differences };
}
