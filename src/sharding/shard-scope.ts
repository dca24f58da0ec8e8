// What a shard of a sharded run collects and keeps, from the tenancy config alone (every shard and the merge agree
// without talking to each other):
// - a subscription one tenant owns (tenants[].subscriptions) belongs to that tenant's shard; any other subscription
//   is shared (resource-group patterns and tags place tenants in it) and is collected by every shard with a tenant,
//   and by shard 0, which reports the platform;
// - a cluster dedicated to a tenant (tenants[].clusters) belongs to that tenant's shard; any other cluster (the
//   shared ones, and those the config does not name, where namespaces decide) is collected like a shared subscription.
// After FinOps has split the shared costs (which needs every tenant's usage of a shared cluster), a shard keeps only
// its tenants' rows and the rows no tenant owns; cost rows stay with the shard accountable for their subscription.
import type { Config } from '../config.js';
import { ownsTenant, PLATFORM_SHARD, type Shard, shardOfTenant } from './shard.js';

export interface ShardScope {
  shard: Shard;
  /** The shard's tenants, in the config's order. */
  tenants: string[];
  /** Whether the shard collects this subscription (a bare id, any case). */
  subscription(id: string): boolean;
  /** Whether the shard collects this cluster. */
  cluster(name: string): boolean;
  /** Whether the shard keeps a row of this tenant (null: no tenant owns it). */
  keeps(tenant: string | null): boolean;
  /** Subscriptions owned by tenants of the shard (lower-case): the shard answers for their cost. */
  ownedSubscriptions: string[];
  /** Subscriptions owned by tenants of other shards (lower-case). */
  foreignSubscriptions: string[];
}

export function shardScope(config: Pick<Config, 'tenants'>, shard: Shard): ShardScope {
  const tenants = config.tenants.filter((t) => ownsTenant(shard, t.id)).map((t) => t.id);
  const mine = new Set(tenants);
  const subOwner = new Map<string, string>();
  const clusterOwner = new Map<string, string>();
  for (const t of config.tenants) {
    for (const s of t.subscriptions) subOwner.set(s.toLowerCase(), t.id);
    for (const c of t.clusters) clusterOwner.set(c.toLowerCase(), t.id);
  }
  // A shard with neither tenants nor the platform (more shards than tenants) needs nothing shared.
  const shared = tenants.length > 0 || shard.index === PLATFORM_SHARD;
  const collects = (owner: string | undefined) => (owner === undefined ? shared : mine.has(owner));
  const subs = [...subOwner];
  return {
    shard,
    tenants,
    subscription: (id) => collects(subOwner.get(id.toLowerCase())),
    cluster: (name) => collects(clusterOwner.get(name.toLowerCase())),
    keeps: (tenant) => (tenant === null ? shared : mine.has(tenant)),
    ownedSubscriptions: subs.filter(([, t]) => mine.has(t)).map(([s]) => s),
    foreignSubscriptions: subs.filter(([, t]) => !mine.has(t)).map(([s]) => s),
  };
}

/** Whether the shard of `tenant` collects a subscription: a row of the tenant found elsewhere is lost to it. */
export function tenantShardCollects(
  config: Pick<Config, 'tenants'>,
  count: number,
  tenant: string,
  subscription: string,
): boolean {
  return shardScope(config, { index: shardOfTenant(tenant, count), count }).subscription(subscription);
}
