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

const REPLAY_RUN = 'replay';

export async function replayCheck(files: ReadonlyMap<string, Buffer>, checkId: string): Promise<ReplayedCheck> {
  const report = JSON.parse(files.get('report.json')!.toString('utf8')) as TenantReport;
  const evidence = JSON.parse(files.get(`evidence/${checkId}.json`)!.toString('utf8')) as EvidenceFile;
  const sql = files.get(`evidence/${checkId}.sql`)!.toString('utf8');
  const macros = files.get('macros.sql')!.toString('utf8');
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
  const store = await Store.open(':memory:', { threads: 1 });
  try {
    await store.beginRun({ runId: REPLAY_RUN, mode: 'nightly', toolVersion: report.run.tool_version, configSha256: null });
    for (const [table, rows] of Object.entries(evidence.tables)) await store.insertJsonRows(REPLAY_RUN, table, rows);
    await store.insertJsonRows(
      REPLAY_RUN,
      'source_status',
      evidence.ipe.sources.map((s) => ({ ...s, tenant_id: tenant })),
    );
    const waivers = [...report.waivers.active, ...report.waivers.expired.map((e) => e.waiver)];
    const { findings } = await evaluate(store, [check], {
      runId: REPLAY_RUN,
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
  } finally {
    store.close();
  }
}
