// A requirement's status from two kinds of evidence, Compline's checks and Azure Policy's states, combined fail
// closed: a failure on either side fails the requirement, missing evidence on either side is an error, and only
// evidence that something passed can make it pass.
import type { FindingStatus } from '../model.js';
import type { PolicyGroupCounts, SourceStatus } from '../store.js';

/** `pass_partial`: what is automated passes, but the requirement also needs manual evidence. */
export type RequirementStatus = 'fail' | 'error' | 'pass' | 'pass_partial' | 'waived' | 'not_applicable' | 'manual';
export type PolicyStatus = 'non_compliant' | 'incomplete' | 'compliant' | 'no_states' | 'not_collected' | 'not_mapped';
/** Which evidence decided the combined status: a waiver or the need for manual evidence are named as such. */
export type DecidedBy = 'checks' | 'azure-policy' | 'both' | 'waiver' | 'manual';
export type Automation = 'automated' | 'partial' | 'manual';

export interface PolicyCounts {
  compliant: number;
  non_compliant: number;
  /** Neither compliant nor non-compliant: Unknown, Exempt, Conflict, NotStarted, or no state given. */
  not_evaluated: number;
}

export interface PolicyResult {
  /** The initiative's group the requirement maps to; null when it maps to none. */
  group: string | null;
  status: PolicyStatus;
  counts: PolicyCounts;
  reason: string;
}

/** A report's Azure Policy evidence: its tenant's states counted per group, and the policy scopes not collected whole. */
export interface PolicyEvidence {
  /** Lower-case group name → counts. */
  groups: Map<string, PolicyCounts>;
  incomplete: Pick<SourceStatus, 'source' | 'scope' | 'status' | 'error'>[];
}

/** The evidence for one report from its tenant's group counts and the source scopes the report covers. */
export function policyEvidence(counts: readonly PolicyGroupCounts[], sources: readonly SourceStatus[]): PolicyEvidence {
  return {
    groups: new Map(counts.map((c) => [c.group_name.toLowerCase(), c])),
    incomplete: sources.filter((s) => s.source === 'policy' && s.status !== 'ok'),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Worst first: one failing check fails the requirement; missing evidence (error) beats pass. */
export function checksStatus(counts: Record<FindingStatus, number>, automation: string, checks: number): RequirementStatus {
  if (checks === 0) return 'manual';
  if (counts.fail > 0) return 'fail';
  if (counts.error > 0 || counts.unknown > 0) return 'error';
  if (counts.waived > 0) return 'waived';
  if (counts.pass > 0) return automation === 'automated' ? 'pass' : 'pass_partial';
  return 'not_applicable';
}

/**
 * Azure Policy's side of a requirement: a non-compliant state stands whatever else is missing; otherwise a policy
 * scope not collected whole, or a state neither compliant nor non-compliant, leaves it incomplete.
 */
export function policyResult(group: string | undefined, evidence: PolicyEvidence | null): PolicyResult {
  const none = { compliant: 0, non_compliant: 0, not_evaluated: 0 };
  if (!group)
    return { group: null, status: 'not_mapped', counts: none, reason: 'no Azure Policy group maps to this requirement' };
  if (!evidence) return { group, status: 'not_collected', counts: none, reason: 'no policy source in this run' };
  const c = evidence.groups.get(group.toLowerCase()) ?? none;
  const counts = { compliant: c.compliant, non_compliant: c.non_compliant, not_evaluated: c.not_evaluated };
  const result = (status: PolicyStatus, reason: string): PolicyResult => ({ group, status, counts, reason });
  if (counts.non_compliant > 0)
    return result('non_compliant', `${plural(counts.non_compliant, 'non-compliant state')} in ${group}`);
  const gap = evidence.incomplete[0];
  if (gap) return result('incomplete', `source ${gap.source} ${gap.status} for ${gap.scope}: ${gap.error ?? 'incomplete'}`);
  if (counts.not_evaluated > 0)
    return result('incomplete', `${plural(counts.not_evaluated, 'state')} in ${group} neither compliant nor non-compliant`);
  if (counts.compliant > 0) return result('compliant', `${plural(counts.compliant, 'compliant state')} in ${group}`);
  return result('no_states', `no state in ${group}`);
}

const by = (checks: boolean, policy: boolean): DecidedBy => (checks && policy ? 'both' : checks ? 'checks' : 'azure-policy');

/**
 * The requirement's status. In order: `fail` when a check fails or a policy state is non-compliant (passing checks
 * never hide a non-compliant state); `error` when either side lacks evidence; `waived` when a waiver covers every
 * failing check; a pass (`pass`, or `pass_partial` where manual evidence is also needed) only on evidence that
 * passed, from either side, except that Azure Policy alone never passes a requirement the catalogue calls manual;
 * else what the checks say (`not_applicable`, `manual`). No evidence on either side is never a pass.
 */
export function combinedStatus(
  checks: RequirementStatus,
  policy: PolicyStatus,
  automation: Automation,
): { status: RequirementStatus; decided_by: DecidedBy } {
  const checksFail = checks === 'fail';
  const policyFail = policy === 'non_compliant';
  if (checksFail || policyFail) return { status: 'fail', decided_by: by(checksFail, policyFail) };
  const checksError = checks === 'error';
  const policyError = policy === 'incomplete';
  if (checksError || policyError) return { status: 'error', decided_by: by(checksError, policyError) };
  if (checks === 'waived') return { status: 'waived', decided_by: 'waiver' };
  const policyPass = policy === 'compliant';
  if (checks === 'pass' || checks === 'pass_partial') return { status: checks, decided_by: policyPass ? 'both' : 'checks' };
  if (policyPass && automation !== 'manual')
    return { status: automation === 'automated' ? 'pass' : 'pass_partial', decided_by: 'azure-policy' };
  return { status: checks, decided_by: checks === 'not_applicable' ? 'checks' : 'manual' };
}
