// FinOps over the collected store: allocation, then rules, then signals (which read allocations).
import { allocate } from './allocation/allocate.js';
import type { FinopsContext } from './context.js';
import { evaluateFinopsRules } from './rules/evaluate.js';
import { computeSignals } from './signals/signals.js';

export type { FinopsContext } from './context.js';

export async function runFinops(ctx: FinopsContext): Promise<void> {
  await allocate(ctx);
  await evaluateFinopsRules(ctx);
  await computeSignals(ctx);
}
