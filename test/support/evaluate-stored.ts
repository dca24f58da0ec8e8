// The stored engine as the tests call the other: findings stored under a scratch run id, read back, removed.
import { type Evaluation, type EvaluationContext, evaluateInto, storedFindings } from '../../src/engine.js';
import type { CheckMeta } from '../../src/model.js';
import type { Store } from '../../src/store.js';

export async function evaluateStored(store: Store, checks: readonly CheckMeta[], ctx: EvaluationContext): Promise<Evaluation> {
  const scratch = `${ctx.runId} evaluating`;
  const { expiredWaivers, incompleteSources } = await evaluateInto(store, checks, ctx, { findingsRun: scratch });
  const findings = await storedFindings(store, scratch, checks, ctx.passDetail !== false);
  await store.execOnReader(`delete from ${store.table('findings')} where run_id = $1`, [scratch]);
  return { findings, expiredWaivers, incompleteSources };
}
