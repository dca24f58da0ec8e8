// finops.allocation: how each day's cost is split between tenants.
import { z } from 'zod';

const tenantId = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'expected a tenant id');

/**
 * How a shared cost is spread over tenants: `even` (equal parts), `proportional` (to each tenant's own cost: its direct
 * cost that day for a shared service, its namespaces' share of the cluster for a shared namespace), or fixed weights.
 */
export const splitKey = z.union(
  [
    z.enum(['even', 'proportional']),
    z.strictObject({
      weights: z.record(tenantId, z.number().positive()).refine((w) => Object.keys(w).length > 0, 'expected at least one tenant'),
    }),
  ],
  { error: 'expected even, proportional or { weights: { <tenant>: <weight> } }' },
);
export type SplitKey = z.infer<typeof splitKey>;

/** Namespaces that serve every tenant of a shared cluster; their cost is spread over the cluster's tenants. */
export const DEFAULT_SHARED_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'gatekeeper-system',
  'calico-system',
  'tigera-operator',
  'cert-manager',
  'monitoring',
  'ingress-nginx',
  'app-routing-system',
];

const sharedClusters = z.strictObject({
  /**
   * What a namespace pays for: `requests` (what it reserves; the default), `usage` (its average use), or `max`
   * (max(request, usage) per container, OpenCost's model, which counts a bursting namespace's borrowed idle capacity
   * twice: opencost#1815).
   */
  method: z.enum(['requests', 'usage', 'max']).default('requests'),
  /** Fraction of a cluster's cost that pays for CPU; the rest pays for memory. */
  cpu_share: z.number().min(0).max(1).default(0.65),
  /** Capacity no namespace requests or uses: `share` it over the namespaces in proportion, or keep it as `platform` idle. */
  idle: z.enum(['share', 'platform']).default('share'),
  shared_namespaces: z
    .strictObject({
      names: z.array(z.string().min(1)).default(DEFAULT_SHARED_NAMESPACES),
      split: splitKey.default('proportional'),
    })
    .prefault({}),
});

/** A shared service outside the clusters (a Log Analytics workspace, a firewall): its resources and how it is split. */
const sharedService = z.strictObject({
  name: z.string().min(1),
  /** Resource id globs, case-insensitive; * matches any run of characters. */
  resources: z.array(z.string().min(1)).min(1),
  split: splitKey.default('proportional'),
});

export const allocationConfig = z
  .strictObject({
    /** The FOCUS column allocated: EffectiveCost (amortized; commitments spread over the usage they cover) or BilledCost. */
    cost_column: z.enum(['EffectiveCost', 'BilledCost']).default('EffectiveCost'),
    shared_clusters: sharedClusters.prefault({}),
    shared_services: z.array(sharedService).default([]),
  })
  .prefault({});
export type AllocationConfig = z.infer<typeof allocationConfig>;

/** Tenants named in weights that the config does not declare, as `<path>: <problem>` lines. */
export function allocationProblems(raw: unknown, tenantIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const weights = (path: string, split: unknown) => {
    for (const t of Object.keys(obj(obj(split)?.weights) ?? {}))
      if (!tenantIds.has(t)) problems.push(`${path}.split.weights.${t}: no tenant ${t}`);
  };
  const a = obj(raw);
  weights('finops.allocation.shared_clusters.shared_namespaces', obj(obj(a?.shared_clusters)?.shared_namespaces)?.split);
  const services = a?.shared_services;
  if (Array.isArray(services))
    for (const [i, s] of services.entries()) weights(`finops.allocation.shared_services[${i}]`, obj(s)?.split);
  return problems;
}
