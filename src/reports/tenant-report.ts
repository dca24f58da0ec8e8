// Per-tenant report.json: findings, per-framework counts and per-requirement status. Pure: data in, document out.
import type { Tenant, Waiver } from '../config.js';
import type { ExpiredWaiver } from '../engine.js';
import { type Framework, requirementsIn } from '../frameworks.js';
import type { CheckMeta, Finding, FindingStatus } from '../model.js';
import { byCodePoint } from '../ordering.js';
import type { FindingHistory, PolicyGroupCounts, SourceStatus } from '../store.js';
import { type FindingDelta, findingDelta } from './finding-delta.js';
import type { FinopsSection } from './finops-section.js';
import {
  checksStatus,
  combinedStatus,
  type DecidedBy,
  type PolicyEvidence,
  type PolicyResult,
  policyEvidence,
  policyResult,
  type RequirementStatus,
} from './requirement-status.js';

export const REPORT_SCHEMA_VERSION = 1 as const;

export type Counts = Record<FindingStatus, number>;

export interface RequirementResult {
  id: string;
  title: string;
  automation: string;
  /** Combined from the checks and Azure Policy (see requirement-status.ts). */
  status: RequirementStatus;
  decided_by: DecidedBy;
  /** What the checks alone say. */
  checks_status: RequirementStatus;
  checks: string[];
  counts: Counts;
  azure_policy: PolicyResult;
}

export interface RunMeta {
  run_id: string;
  mode: 'nightly' | 'gate';
  started_at: string;
  finished_at: string;
  tool_version: string;
  config_sha256: string | null;
  status: 'ok' | 'partial' | 'failed';
}

export interface TenantReport {
  schema_version: typeof REPORT_SCHEMA_VERSION;
  run: RunMeta;
  tenant: { id: string; name: string; tier: string; frameworks: string[] } | null;
  /** `note`: only in reports of versions that scored frameworks without a catalogue ("no automated check catalogue"). */
  frameworks: Record<string, { title: string; counts: Counts; requirements: RequirementResult[]; note?: string }>;
  findings: (Finding & { title: string; requirements: Record<string, string[]> })[];
  /** What changed since the tenant's previous run. */
  delta: FindingDelta;
  waivers: { active: Waiver[]; expired: ExpiredWaiver[] };
  sources: SourceStatus[];
  /** Platform report only: resources no tenant owns. */
  unassigned?: { id: string; type: string }[];
  /** Cost, allocation, savings and signals; absent from reports of versions without FinOps. */
  finops?: FinopsSection;
}

export const emptyCounts = (): Counts => ({ pass: 0, fail: 0, error: 0, waived: 0, unknown: 0 });

export function frameworkSection(
  framework: Framework,
  checks: readonly CheckMeta[],
  findings: readonly Finding[],
  policy: PolicyEvidence | null = null,
): { title: string; counts: Counts; requirements: RequirementResult[] } {
  const inFramework = checks.filter((c) => c.requirements[framework.id]);
  const ids = new Set(inFramework.map((c) => c.id));
  const counts = emptyCounts();
  const byCheck = new Map<string, Counts>();
  for (const f of findings) {
    if (!ids.has(f.check_id)) continue;
    counts[f.status]++;
    const c = byCheck.get(f.check_id) ?? emptyCounts();
    c[f.status]++;
    byCheck.set(f.check_id, c);
  }
  const requirements = framework.requirements.map((r) => {
    const mapped = inFramework.filter((c) => c.requirements[framework.id]?.includes(r.id)).map((c) => c.id);
    const rc = emptyCounts();
    for (const id of mapped) {
      const c = byCheck.get(id);
      if (c) for (const k of Object.keys(rc) as FindingStatus[]) rc[k] += c[k];
    }
    const fromChecks = checksStatus(rc, r.automation, mapped.length);
    const azurePolicy = policyResult(r.azure_policy_group, policy);
    return {
      id: r.id,
      title: r.title,
      automation: r.automation,
      ...combinedStatus(fromChecks, azurePolicy.status, r.automation),
      checks_status: fromChecks,
      checks: mapped,
      counts: rc,
      azure_policy: azurePolicy,
    };
  });
  return { title: framework.title, counts, requirements };
}

export interface ReportInput {
  run: RunMeta;
  tenant: Tenant | null;
  /** Frameworks this report scores: the tenant's, or every catalogue for the platform section. */
  frameworkIds: readonly string[];
  frameworks: Map<string, Framework>;
  checks: readonly CheckMeta[];
  byId: Map<string, CheckMeta>;
  /** Already this tenant's findings only. */
  findings: readonly Finding[];
  waivers: { active: Waiver[]; expired: ExpiredWaiver[] };
  sources: SourceStatus[];
  /** This report's policy states counted per group (its tenant's, or the platform's); null when no policy source ran. */
  policyStates: readonly PolicyGroupCounts[] | null;
  /** The tenant's findings before this run; null: no history is kept (every failure is new). */
  history: FindingHistory | null;
  unassigned?: { id: string; type: string }[];
  /** This report's FinOps section (its own allocations, recommendations and signals only). */
  finops?: FinopsSection;
}

export function buildTenantReport(input: ReportInput): TenantReport {
  const sections: TenantReport['frameworks'] = {};
  const relevant = new Set<string>();
  const policy = input.policyStates && policyEvidence(input.policyStates, input.sources);
  for (const fw of input.frameworkIds) {
    const framework = input.frameworks.get(fw);
    // Every framework the config accepts has a catalogue (test/framework-catalogue.test.ts).
    if (!framework) throw new Error(`no catalogue for framework ${fw}`);
    sections[fw] = frameworkSection(framework, input.checks, input.findings, policy);
    for (const c of input.checks) if (c.requirements[fw]) relevant.add(c.id);
  }
  const order: Record<FindingStatus, number> = { fail: 0, error: 1, unknown: 2, waived: 3, pass: 4 };
  const sevOrder = { critical: 0, high: 1, medium: 2, low: 3 };
  const findings = input.findings
    .filter((f) => relevant.has(f.check_id))
    .map((f) => {
      const meta = input.byId.get(f.check_id);
      // Only the requirement ids of the frameworks this report scores.
      return {
        ...f,
        title: meta?.title ?? f.check_id,
        requirements: requirementsIn(meta?.requirements ?? {}, input.frameworkIds),
      };
    })
    .sort(
      (a, b) =>
        order[a.status] - order[b.status] ||
        sevOrder[a.severity] - sevOrder[b.severity] ||
        byCodePoint(a.check_id, b.check_id) ||
        byCodePoint(a.resource_id, b.resource_id),
    );
  const history = input.history ?? {
    previous: null,
    lastDefinite: new Map(),
    inPrevious: new Map(),
    incompleteBefore: new Set(),
  };
  const delta = findingDelta(
    input.findings.filter((f) => relevant.has(f.check_id)),
    { ...history, inPrevious: new Map([...history.inPrevious].filter(([k]) => relevant.has(k.split('\u0000')[0]!))) },
    input.run.status === 'ok',
  );
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    run: input.run,
    tenant: input.tenant
      ? { id: input.tenant.id, name: input.tenant.name, tier: input.tenant.tier, frameworks: [...input.tenant.frameworks] }
      : null,
    frameworks: sections,
    findings,
    delta,
    waivers: input.waivers,
    sources: input.sources,
    ...(input.unassigned ? { unassigned: input.unassigned } : {}),
    ...(input.finops ? { finops: input.finops } : {}),
  };
}
