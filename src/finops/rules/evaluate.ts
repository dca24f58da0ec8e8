import type { FinopsContext } from '../context.js';

/** Runs the FinOps rules (rightsizing, idle resources) into `recommendations`. */
export async function evaluateFinopsRules(_ctx: FinopsContext): Promise<void> {}
