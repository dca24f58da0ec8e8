// Which tenants a shard of a sharded run owns. The hash is of the tenant id alone, so every shard process (and the
// merge) agrees without talking to the others, and adding a tenant moves no other tenant.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** The part of the estate no tenant owns: its report goes to shard 0, exactly once. */
export const PLATFORM_SHARD = 0;

export interface Shard {
  /** 0-based, as Kubernetes' JOB_COMPLETION_INDEX counts. */
  index: number;
  count: number;
}

/** `2/3` → shard 2 of 3 (0-based: 0/3, 1/3, 2/3). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1) || count > 1000 || !(index < count)) {
    throw new UsageError(`--shard ${text}: expected INDEX/COUNT with 0 ≤ INDEX < COUNT ≤ 1000, such as 0/3`);
  }
  return { index, count };
}

/** The shard a tenant belongs to: the first 6 bytes of SHA-256 of its id, modulo the shard count. */
export function shardOfTenant(tenantId: string, count: number): number {
  return createHash('sha256').update(tenantId, 'utf8').digest().readUIntBE(0, 6) % count;
}

/** Whether a shard owns a report: a tenant by its hash, the platform (`null`, or `_platform`) by shard 0. */
export function ownsTenant(shard: Shard, tenantId: string | null, platform = '_platform'): boolean {
  if (tenantId === null || tenantId === platform) return shard.index === PLATFORM_SHARD;
  return shardOfTenant(tenantId, shard.count) === shard.index;
}

/** `shard-0-of-3`: the shard's folder, locally and in the container. */
export const shardName = (shard: Shard): string => `shard-${shard.index}-of-${shard.count}`;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/**
 * A run id given on the command line, so separate processes share one run. `{date}` becomes today's UTC date
 * (YYYYMMDD): a nightly CronJob's shards and its later merge name the same run without passing anything.
 */
export function expandRunId(option: string, text: string, now: Date): string {
  const id = text.replaceAll('{date}', now.toISOString().slice(0, 10).replaceAll('-', ''));
  if (!RUN_ID.test(id)) {
    throw new UsageError(`${option} ${text}: expected letters, digits, '.', '_' or '-' (up to 80, first a letter or digit)`);
  }
  return id;
}
