// Which collected rows a shard keeps: what reaches the store is filtered by scope as it arrives (a file holds the whole
// estate; discovery lists every subscription), and once FinOps has split the shared costs, the rows of other shards'
// tenants go. What a shard then holds is its tenants' rows, the rows no tenant owns, and the cost it answers for.
import type { CollectorEvent } from '../collectors/collector.js';
import type { Config } from '../config.js';
import { type Store, TABLE_DDL } from '../store.js';
import { PLATFORM_SHARD } from './shard.js';
import { type ShardScope, tenantShardCollects } from './shard-scope.js';

const subscriptionOf = (id: string | null | undefined): string | null =>
  id ? (/^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? null) : null;

/** The event with only the rows of scopes the shard collects; null when nothing of it is the shard's. */
export function inScope(scope: ShardScope, event: CollectorEvent): CollectorEvent | null {
  const sub = (id: string | null | undefined) => {
    const s = subscriptionOf(id);
    return s === null || scope.subscription(s);
  };
  if (event.kind === 'status') {
    const { scope: name, tenant_id } = event.status;
    const subscription = /^subscription:(.+)$/.exec(name)?.[1];
    const cluster = /^cluster:(.+)$/.exec(name)?.[1];
    if (subscription && !scope.subscription(subscription)) return null;
    if (cluster && !scope.cluster(cluster)) return null;
    if (tenant_id && !scope.keeps(tenant_id)) return null;
    return event;
  }
  if (event.kind === 'coverage') {
    const rows = event.rows.filter((r) => sub(r.parent_id));
    return rows.length ? { ...event, rows } : null;
  }
  if (event.kind === 'iac-documents') {
    const documents = event.documents.filter((d) => scope.keeps(d.tenant_id));
    return documents.length ? { ...event, documents } : null;
  }
  if (event.kind !== 'rows') return event;
  const keep = <T>(rows: T[], ok: (row: T) => boolean) => {
    const kept = rows.filter(ok);
    return kept.length ? ({ ...event, rows: kept } as CollectorEvent) : null;
  };
  switch (event.table) {
    case 'resources':
      return keep(event.rows, (r) => r.subscription_id === null || scope.subscription(r.subscription_id));
    case 'policy_states':
    case 'metrics':
    case 'resource_changes':
      return keep(event.rows as { resource_id: string }[], (r) => sub(r.resource_id));
    case 'k8s_objects':
    case 'k8s_usage':
      return keep(event.rows as { cluster: string }[], (r) => scope.cluster(r.cluster));
    default:
      return event;
  }
}

export interface StrayRows {
  tenant: string;
  scope: string;
  rows: number;
}

/**
 * Rows of another shard's tenant in a subscription that tenant's shard does not collect (a resource tagged for a
 * tenant in a subscription another tenant owns): its shard never saw them, so the merge must not take that tenant as
 * whole. Counted before the shard drops them.
 */
export async function strayRows(store: Store, runId: string, config: Config, scope: ShardScope): Promise<StrayRows[]> {
  const rows = await store.query<{ tenant: string; sub: string; n: number }>(
    `select tenant_id as tenant, lower(subscription_id) as sub, count(*)::integer as n from resources
     where run_id = $1 and tenant_id is not null and subscription_id is not null and not list_contains(from_json($2, '["VARCHAR"]'), tenant_id)
     group by all order by all`,
    [runId, JSON.stringify(scope.tenants)],
  );
  return rows
    .filter((r) => !tenantShardCollects(config, scope.shard.count, r.tenant, r.sub))
    .map((r) => ({ tenant: r.tenant, scope: `subscription:${r.sub}`, rows: r.n }));
}

/** FinOps' outputs: their platform rows (unassigned and idle cost, its recommendations) are shard 0's alone. */
const PLATFORM_OUTPUTS = new Set(['allocations', 'allocation_gaps', 'recommendations', 'finops_signals']);

/** Deletes the run's rows the shard does not keep. */
export async function keepShardRows(store: Store, runId: string, scope: ShardScope): Promise<void> {
  const tenants = JSON.stringify(scope.tenants);
  for (const [table, ddl] of Object.entries(TABLE_DDL)) {
    if (table === 'runs' || table === 'costs' || !ddl.includes('tenant_id')) continue;
    // Rows no tenant owns stay where a tenant's check may read them; what FinOps made of them is the platform's, once.
    const keepNull = PLATFORM_OUTPUTS.has(table) ? scope.shard.index === PLATFORM_SHARD : scope.keeps(null);
    await store.query(
      `delete from ${table} where run_id = $1
         and (tenant_id is null and not $3 or tenant_id is not null and not list_contains(from_json($2, '["VARCHAR"]'), tenant_id))`,
      [runId, tenants, keepNull],
    );
  }
  // A cost row is answered for by the shard of the tenant owning its subscription, any other by shard 0: across the
  // shards, the bill is then counted once.
  const owned = JSON.stringify(scope.ownedSubscriptions);
  const foreign = JSON.stringify(scope.foreignSubscriptions);
  const sub = `regexp_replace(lower(SubAccountId), '^/subscriptions/', '')`;
  await store.query(
    scope.shard.index === PLATFORM_SHARD
      ? `delete from costs where run_id = $1 and list_contains(from_json($2, '["VARCHAR"]'), ${sub})`
      : `delete from costs where run_id = $1 and (SubAccountId is null or not list_contains(from_json($2, '["VARCHAR"]'), ${sub}))`,
    [runId, scope.shard.index === PLATFORM_SHARD ? foreign : owned],
  );
}
