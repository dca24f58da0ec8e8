// How one shared cluster's cost is split: the fraction of it each namespace, shared namespace spread, idle capacity
// and unowned namespace takes. Pure: the cluster's namespace totals in, weights summing to 1 out.
import type { AllocationConfig } from './config.js';

/** A namespace's CPU (cores) and memory (bytes): requested, used on average, and max(request, usage) per container. */
export interface ClusterUsage {
  cluster: string;
  namespace: string;
  cpu_req: number;
  mem_req: number;
  cpu_use: number;
  mem_use: number;
  cpu_max: number;
  mem_max: number;
  /** Whether any container of the namespace has a usage row. */
  has_usage: boolean;
}

export interface ClusterWeight {
  tenant: string | null;
  source: 'shared-cluster' | 'shared-namespace' | 'idle' | 'unassigned';
  namespace: string | null;
  method: string;
  weight: number;
}

export interface ClusterInput {
  cluster: string;
  settings: AllocationConfig['shared_clusters'];
  namespaces: (ClusterUsage & { tenant: string | null })[];
  /** Sum of the nodes' allocatable CPU (cores) and memory (bytes); null when no Node was collected. */
  capacity: { cpu: number | null; mem: number | null } | null;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

export function clusterWeights(input: ClusterInput): { weights: ClusterWeight[]; gaps: string[] } {
  const { cluster, settings } = input;
  const gaps: string[] = [];
  if (!input.namespaces.length && !input.capacity) {
    gaps.push(`shared cluster ${cluster} has cost but no Kubernetes objects were collected; its cost is unassigned`);
    return {
      weights: [{ tenant: null, source: 'unassigned', namespace: null, method: 'unsplit: no Kubernetes objects', weight: 1 }],
      gaps,
    };
  }
  let method = settings.method;
  if (method !== 'requests' && !input.namespaces.some((n) => n.has_usage)) {
    gaps.push(`shared cluster ${cluster} is split by requests: no container usage was collected for method ${method}`);
    method = 'requests';
  }
  if (!input.capacity)
    gaps.push(
      `shared cluster ${cluster}: no Node objects, so its idle capacity is unknown and every cost is split over its namespaces`,
    );
  const amounts = (n: ClusterUsage): [number, number] =>
    method === 'requests' ? [n.cpu_req, n.mem_req] : method === 'usage' ? [n.cpu_use, n.mem_use] : [n.cpu_max, n.mem_max];
  const r = settings.cpu_share;
  const share = settings.idle === 'share';
  const label = `${method}${method === settings.method ? '' : ` (${settings.method} without usage)`}; cpu ${pct(r)} / memory ${pct(1 - r)}; idle ${share ? 'shared' : 'kept as platform idle'}`;
  const totalCpu = input.namespaces.reduce((s, n) => s + amounts(n)[0], 0);
  const totalMem = input.namespaces.reduce((s, n) => s + amounts(n)[1], 0);
  // What a namespace's amount is a fraction of: what the namespaces take when idle is shared over them, else the
  // capacity (or what they take, if more: requests can overcommit nothing, but usage and max can exceed it).
  const cpuBase = share ? totalCpu : Math.max(input.capacity?.cpu ?? 0, totalCpu);
  const memBase = share ? totalMem : Math.max(input.capacity?.mem ?? 0, totalMem);
  const fraction = (cpu: number, mem: number) =>
    (cpuBase > 0 ? (r * cpu) / cpuBase : 0) + (memBase > 0 ? ((1 - r) * mem) / memBase : 0);
  const idle =
    (cpuBase > 0 ? (r * (cpuBase - totalCpu)) / cpuBase : r) + (memBase > 0 ? ((1 - r) * (memBase - totalMem)) / memBase : 1 - r);

  const shared = new Set(settings.shared_namespaces.names);
  const weights: ClusterWeight[] = [];
  const sharedNs: { namespace: string; weight: number }[] = [];
  const byTenant = new Map<string, number>();
  for (const n of input.namespaces) {
    const weight = fraction(...amounts(n));
    if (n.tenant) {
      weights.push({ tenant: n.tenant, source: 'shared-cluster', namespace: n.namespace, method: label, weight });
      byTenant.set(n.tenant, (byTenant.get(n.tenant) ?? 0) + weight);
    } else if (shared.has(n.namespace)) sharedNs.push({ namespace: n.namespace, weight });
    else weights.push({ tenant: null, source: 'unassigned', namespace: n.namespace, method: 'namespace without tenant', weight });
  }
  const split = settings.shared_namespaces.split;
  const keys: [string, number][] =
    split === 'proportional'
      ? [...byTenant].filter(([, w]) => w > 0)
      : split === 'even'
        ? [...byTenant.keys()].map((t) => [t, 1])
        : Object.entries(split.weights);
  const keyTotal = keys.reduce((s, [, w]) => s + w, 0);
  const splitLabel = typeof split === 'string' ? split : 'weights';
  for (const s of sharedNs) {
    if (keyTotal <= 0) {
      weights.push({
        tenant: null,
        source: 'unassigned',
        namespace: s.namespace,
        method: 'shared namespace: no tenant to spread over',
        weight: s.weight,
      });
      continue;
    }
    for (const [tenant, w] of keys)
      weights.push({
        tenant,
        source: 'shared-namespace',
        namespace: s.namespace,
        method: `${splitLabel}; ${label}`,
        weight: (s.weight * w) / keyTotal,
      });
  }
  if (idle > 0) weights.push({ tenant: null, source: 'idle', namespace: null, method: label, weight: idle });
  return { weights: weights.filter((w) => w.weight > 0), gaps };
}
