// A real DuckDB store holding one run's costs, resources, Kubernetes objects and usage, for the FinOps steps.
import { type Config, parseConfig } from '../../src/config.js';
import type { FinopsContext } from '../../src/finops/context.js';
import type { K8sObjectRow } from '../../src/model.js';
import { Store } from '../../src/store.js';
import { resourceRow } from './fixture-store.js';

export const RUN = 'finops-run';

/** A FOCUS cost row; unspecified columns are null. */
export interface CostRow {
  day: string;
  cost: number;
  currency?: string;
  resource?: string | null;
  service?: string;
  subscription?: string | null;
  tags?: Record<string, string> | null;
  billed?: number;
}

export function costRow(c: CostRow): Record<string, unknown> {
  return {
    tenant_id: null,
    EffectiveCost: c.cost,
    BilledCost: c.billed ?? c.cost,
    ChargePeriodStart: `${c.day}T00:00:00Z`,
    ChargePeriodEnd: `${c.day}T23:59:59Z`,
    ResourceId: c.resource ?? null,
    ServiceName: c.service ?? 'Virtual Machines',
    SubAccountId: c.subscription ?? null,
    BillingCurrency: c.currency ?? 'EUR',
    Tags: c.tags ?? null,
  };
}

export function config(yaml: string): Config {
  return parseConfig(`version: 1\n${yaml}`, 'compline.yaml');
}

export interface Estate {
  costs?: CostRow[];
  resources?: Record<string, unknown>[];
  k8s?: K8sObjectRow[];
  usage?: Record<string, unknown>[];
  sources?: { source: string; scope: string; status: 'ok' | 'partial' | 'failed'; error?: string; tenant_id?: string | null }[];
  runId?: string;
}

export async function openStore(): Promise<Store> {
  return Store.open(':memory:');
}

/** Loads one run of an estate into the store and returns the FinOps context over it. */
export async function loadEstate(store: Store, cfg: Config, estate: Estate, today = '2026-12-05'): Promise<FinopsContext> {
  const runId = estate.runId ?? RUN;
  await store.beginRun({ runId, mode: 'nightly', toolVersion: 'test', configSha256: null });
  await store.recordTenants(runId, cfg.tenants);
  if (estate.costs?.length) await store.insertJsonRows(runId, 'costs', estate.costs.map(costRow));
  if (estate.resources?.length) await store.appendResources(runId, estate.resources.map(resourceRow));
  if (estate.k8s?.length) await store.appendK8sObjects(runId, estate.k8s);
  if (estate.usage?.length) await store.insertJsonRows(runId, 'k8s_usage', estate.usage);
  for (const s of estate.sources ?? [])
    await store.recordSource(runId, { rows: 0, tenant_id: null, ...s, error: s.error ?? null });
  return { store, runId, config: cfg, baseDir: '.', today, log: () => {} };
}

export const pod = (
  cluster: string,
  namespace: string,
  name: string,
  tenant: string | null,
  containers: { name?: string; cpu?: string; memory?: string }[],
): K8sObjectRow => ({
  cluster,
  kind: 'Pod',
  namespace,
  name,
  uid: null,
  labels: {},
  annotations: {},
  spec: {
    containers: containers.map((c, i) => ({
      name: c.name ?? `c${i}`,
      resources: { requests: { ...(c.cpu ? { cpu: c.cpu } : {}), ...(c.memory ? { memory: c.memory } : {}) } },
    })),
  },
  status: { phase: 'Running' },
  tenant_id: tenant,
});

export const node = (cluster: string, name: string, cpu: string, memory: string): K8sObjectRow => ({
  cluster,
  kind: 'Node',
  namespace: null,
  name,
  uid: null,
  labels: {},
  annotations: {},
  spec: {},
  status: { allocatable: { cpu, memory }, capacity: { cpu, memory } },
  tenant_id: null,
});

export interface AllocationRow {
  tenant_id: string | null;
  day: string;
  source: string;
  amount: number;
  currency: string;
  method: string;
  service: string | null;
  cluster: string | null;
  namespace: string | null;
  detail: string | null;
}

export async function allocations(store: Store, runId = RUN): Promise<AllocationRow[]> {
  return store.query<AllocationRow>(
    `select tenant_id, strftime(day, '%Y-%m-%d') as day, source, amount::double as amount, currency, method, service, cluster,
            namespace, detail
     from allocations where run_id = $1 order by all`,
    [runId],
  );
}

/** Sum of amounts by a key, rounded to the cent. */
export function sumBy<T>(rows: readonly T[], key: (r: T) => string, amount: (r: T) => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = Math.round(((out[key(r)] ?? 0) + amount(r)) * 100) / 100;
  return out;
}
