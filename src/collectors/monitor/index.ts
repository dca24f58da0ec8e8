// The collectors sources.monitor describes: utilisation files, or VM metrics and container usage live.
import type { AzureSettings } from '../azure/connection.js';
import { azureConnection } from '../azure/connection.js';
import type { Collector } from '../collector.js';
import { ResourceGraphLiveSource } from '../resource-graph/live-source.js';
import type { MonitorSource } from './config.js';
import { ContainerUsageLiveSource } from './container-usage-live.js';
import { MonitorFileSource } from './file-source.js';
import { VmMetricsLiveSource } from './vm-metrics-live.js';

export function monitorCollectors(
  source: MonitorSource,
  azure: AzureSettings | undefined,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Collector[] {
  if (source.mode === 'file') return [new MonitorFileSource(source.paths, baseDir)];
  // The config's cross-check requires the azure section for a live source.
  const settings = azure!;
  const connection = azureConnection(settings, env);
  const deadlineMs = settings.deadline_seconds * 1000;
  // Its own Resource Graph lister: the VMs measured do not hang on the resource-graph source's success.
  const graph = new ResourceGraphLiveSource({
    connection,
    subscriptions: settings.subscriptions,
    concurrency: source.concurrency,
    deadlineMs,
    reads: () => false,
  });
  const common = { connection, lookbackDays: source.lookback_days, concurrency: source.concurrency, deadlineMs };
  const collectors: Collector[] = [
    new VmMetricsLiveSource({
      ...common,
      graph,
      subscriptions: settings.subscriptions,
      interval: source.interval,
      batchSize: source.batch_size,
    }),
  ];
  if (source.workspaces.length) collectors.push(new ContainerUsageLiveSource({ ...common, workspaces: source.workspaces }));
  return collectors;
}
