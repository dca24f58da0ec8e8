import type { FinopsContext } from '../context.js';

/** Cost anomaly and budget forecast per tenant, stored for the alerting step. */
export async function computeSignals(_ctx: FinopsContext): Promise<void> {}
