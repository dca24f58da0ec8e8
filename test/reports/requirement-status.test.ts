// The combined requirement status: a non-compliant policy state is never hidden by passing checks, missing evidence
// on either side is an error, no evidence on either side is never a pass, and decided_by names what decided.
import { describe, expect, it } from 'vitest';
import { combinedStatus, type PolicyEvidence, policyEvidence, policyResult } from '../../src/reports/requirement-status.js';
import type { SourceStatus } from '../../src/store.js';

const GROUP = 'PCI_DSS_v4.0.1_3.6.1';
const evidence = (
  counts: Partial<{ compliant: number; non_compliant: number; not_evaluated: number }>,
  incomplete: SourceStatus[] = [],
): PolicyEvidence =>
  policyEvidence(
    [{ tenant_id: 't1', group_name: GROUP.toLowerCase(), compliant: 0, non_compliant: 0, not_evaluated: 0, ...counts }],
    incomplete,
  );
const partial: SourceStatus = {
  source: 'policy',
  scope: 'subscription:s1',
  status: 'partial',
  error: 'page 2: no answer within 120 s',
  rows: 10,
  tenant_id: null,
};

describe('combined requirement status', () => {
  it.each([
    // checks, policy, automation → status, decided_by
    ['pass', 'non_compliant', 'automated', 'fail', 'azure-policy'],
    ['pass_partial', 'non_compliant', 'partial', 'fail', 'azure-policy'],
    ['waived', 'non_compliant', 'partial', 'fail', 'azure-policy'],
    ['manual', 'non_compliant', 'manual', 'fail', 'azure-policy'],
    ['error', 'non_compliant', 'partial', 'fail', 'azure-policy'],
    ['fail', 'non_compliant', 'partial', 'fail', 'both'],
    ['fail', 'compliant', 'partial', 'fail', 'checks'],
    ['fail', 'incomplete', 'partial', 'fail', 'checks'],
    ['pass', 'incomplete', 'automated', 'error', 'azure-policy'],
    ['manual', 'incomplete', 'manual', 'error', 'azure-policy'],
    ['error', 'compliant', 'partial', 'error', 'checks'],
    ['error', 'incomplete', 'partial', 'error', 'both'],
    ['waived', 'compliant', 'partial', 'waived', 'waiver'],
    ['pass', 'compliant', 'automated', 'pass', 'both'],
    ['pass_partial', 'compliant', 'partial', 'pass_partial', 'both'],
    ['pass', 'no_states', 'automated', 'pass', 'checks'],
    ['pass_partial', 'not_collected', 'partial', 'pass_partial', 'checks'],
    ['pass', 'not_mapped', 'automated', 'pass', 'checks'],
    ['manual', 'compliant', 'partial', 'pass_partial', 'azure-policy'],
    ['not_applicable', 'compliant', 'automated', 'pass', 'azure-policy'],
    // Azure maps cloud policies to physical and organisational requirements too: its states alone never pass them.
    ['manual', 'compliant', 'manual', 'manual', 'manual'],
    // No evidence on either side.
    ['manual', 'no_states', 'partial', 'manual', 'manual'],
    ['manual', 'not_collected', 'automated', 'manual', 'manual'],
    ['not_applicable', 'no_states', 'automated', 'not_applicable', 'checks'],
    ['not_applicable', 'not_mapped', 'partial', 'not_applicable', 'checks'],
  ] as const)('checks %s + Azure Policy %s (%s) → %s, decided by %s', (checks, policy, automation, status, decidedBy) => {
    expect(combinedStatus(checks, policy, automation)).toEqual({ status, decided_by: decidedBy });
  });
});

describe("Azure Policy's side of a requirement", () => {
  it('counts the states in the requirement’s group, whatever the case of the group name', () => {
    expect(policyResult(GROUP.toUpperCase(), evidence({ compliant: 3 }))).toEqual({
      group: GROUP.toUpperCase(),
      status: 'compliant',
      counts: { compliant: 3, non_compliant: 0, not_evaluated: 0 },
      reason: `3 compliant states in ${GROUP.toUpperCase()}`,
    });
  });

  it('a non-compliant state stands even when the source was incomplete or states were not evaluated', () => {
    expect(policyResult(GROUP, evidence({ compliant: 2, non_compliant: 1, not_evaluated: 1 }, [partial]))).toMatchObject({
      status: 'non_compliant',
      reason: `1 non-compliant state in ${GROUP}`,
    });
  });

  it('an incomplete policy scope leaves compliant states incomplete, naming the scope', () => {
    expect(policyResult(GROUP, evidence({ compliant: 2 }, [partial]))).toMatchObject({
      status: 'incomplete',
      reason: 'source policy partial for subscription:s1: page 2: no answer within 120 s',
    });
  });

  it('a state neither compliant nor non-compliant (Unknown, Exempt, Conflict) is missing evidence', () => {
    expect(policyResult(GROUP, evidence({ compliant: 2, not_evaluated: 1 }))).toMatchObject({
      status: 'incomplete',
      reason: `1 state in ${GROUP} neither compliant nor non-compliant`,
    });
  });

  it('no state in the group, no policy source, no group: each says so and none is a pass', () => {
    expect(policyResult('PCI_DSS_v4.0.1_9.5.1', evidence({ compliant: 2 }))).toMatchObject({
      status: 'no_states',
      counts: { compliant: 0, non_compliant: 0, not_evaluated: 0 },
    });
    expect(policyResult(GROUP, null)).toMatchObject({ status: 'not_collected', reason: 'no policy source in this run' });
    expect(policyResult(undefined, evidence({ compliant: 2 }))).toMatchObject({ group: null, status: 'not_mapped' });
  });

  it('only policy scopes count as policy gaps', () => {
    const graph: SourceStatus = { ...partial, source: 'resource-graph' };
    expect(policyResult(GROUP, evidence({ compliant: 2 }, [graph])).status).toBe('compliant');
  });
});
