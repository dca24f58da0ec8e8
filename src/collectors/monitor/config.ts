// sources.monitor: VM metrics (Azure Monitor) and container usage (Container Insights), from files or live.
import { z } from 'zod';

const nonEmpty = z.string().min(1);

/** A cluster whose container usage Container Insights sends to a Log Analytics workspace. */
const clusterWorkspace = z.strictObject({
  /** The cluster's name as tenants[].clusters and mapping.shared_clusters name it (KubePodInventory's ClusterName). */
  cluster: nonEmpty,
  /** The Log Analytics workspace id (its customer id, a GUID). */
  workspace_id: z.uuid(),
});

export const monitorSource = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('file'),
    /** Files or folders (every *.json inside) of utilisation, relative to the config file. */
    paths: z.array(nonEmpty).min(1),
  }),
  z.strictObject({
    mode: z.literal('live'),
    /** Whole UTC days before today whose utilisation is collected. */
    lookback_days: z.int().min(1).max(93).default(14),
    /** Metric granularity: a day's p95 is taken over its interval maxima (PT1H: 24 a day). */
    interval: z.enum(['PT5M', 'PT15M', 'PT30M', 'PT1H']).default('PT1H'),
    /** VMs and scale sets per metrics batch request (the service takes up to 50, same subscription, region and type). */
    batch_size: z.int().min(1).max(50).default(50),
    /** Metrics and Log Analytics requests in flight at once. */
    concurrency: z.int().min(1).max(16).default(4),
    /** Clusters whose container usage is read from Container Insights; none: no container usage is collected. */
    workspaces: z.array(clusterWorkspace).default([]),
  }),
]);

export type MonitorSource = z.infer<typeof monitorSource>;
export type MonitorLiveSettings = Extract<MonitorSource, { mode: 'live' }>;
