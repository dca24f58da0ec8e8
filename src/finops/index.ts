// FinOps over the collected store: the price sheet, allocation, then rules (which read prices), then signals.
import { allocate } from './allocation/allocate.js';
import type { FinopsContext } from './context.js';
import { loadPrices } from './prices/load-prices.js';
import { evaluateFinopsRules } from './rules/evaluate.js';
import { computeSignals } from './signals/signals.js';

export type { FinopsContext } from './context.js';

export async function runFinops(ctx: FinopsContext): Promise<void> {
  await loadPrices(ctx);
  await allocate(ctx);
  await evaluateFinopsRules(ctx);
  await computeSignals(ctx);
}
