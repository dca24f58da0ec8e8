// Azure Monitor's answers in their REST shapes, for the local Azure server: the metrics batch API
// (`POST /subscriptions/{sub}/metrics:getBatch`, answered `{ values: [{ resourceid, value: [metric] }] }`) and the Log
// Analytics query API (`POST /v1/workspaces/{id}/query`, answered `{ tables: [{ name, columns, rows }] }`).
import type { ArmCall, Reply } from './azure-server.js';
import { QUOTA_OK } from './azure-server.js';

/** One interval's aggregations, as the service returns them (absent: no data then). */
export interface Point {
  timeStamp: string;
  average?: number;
  minimum?: number;
  maximum?: number;
  count?: number;
}

/** A metrics batch request as the server saw it. */
export interface MetricsCall {
  subscription: string;
  namespace: string | null;
  metricnames: string[];
  interval: string | null;
  aggregation: string | null;
  starttime: string | null;
  endtime: string | null;
  resourceids: string[];
  at: number;
}

export const isMetricsCall = (call: ArmCall) => call.method === 'POST' && /\/metrics:getbatch$/.test(call.path);

export function metricsCallOf(call: ArmCall): MetricsCall {
  const body = JSON.parse(call.body) as { resourceids: string[] };
  return {
    subscription: call.path.split('/')[2]!,
    namespace: call.params.get('metricnamespace'),
    metricnames: (call.params.get('metricnames') ?? '').split(','),
    interval: call.params.get('interval'),
    aggregation: call.params.get('aggregation'),
    starttime: call.params.get('starttime'),
    endtime: call.params.get('endtime'),
    resourceids: body.resourceids,
    at: call.at,
  };
}

/**
 * The batch answer for a request: each asked resource's series from `series(resourceId, metric)`, in the recorded
 * shape (resource ids as the request spelt them, metric names as localizable strings).
 */
export function metricsAnswer(call: MetricsCall, series: (resourceId: string, metric: string) => Point[] | undefined): Reply {
  return {
    headers: QUOTA_OK,
    body: {
      values: call.resourceids.flatMap((resourceid) => {
        const value = call.metricnames.flatMap((metric) => {
          const data = series(resourceid.toLowerCase(), metric);
          if (data === undefined) return [];
          return [
            {
              id: `${resourceid}/providers/Microsoft.Insights/metrics/${metric}`,
              type: 'Microsoft.Insights/metrics',
              name: { value: metric, localizedValue: metric },
              displayDescription: '',
              errorCode: 'Success',
              unit: metric === 'Percentage CPU' ? 'Percent' : 'Bytes',
              timeseries: [{ metadatavalues: [], data }],
            },
          ];
        });
        return [
          {
            starttime: call.starttime,
            endtime: call.endtime,
            interval: call.interval,
            namespace: call.namespace,
            resourceregion: 'eastus',
            resourceid,
            value,
          },
        ];
      }),
    },
  };
}

/** A logs query as the server saw it. */
export interface LogsCall {
  workspace: string;
  query: string;
  timespan: string | undefined;
  at: number;
}

export function logsCallOf(call: ArmCall): LogsCall | null {
  const m = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(call.path);
  if (call.method !== 'POST' || !m) return null;
  const body = JSON.parse(call.body) as { query: string; timespan?: string };
  return { workspace: m[1]!, query: body.query, timespan: body.timespan, at: call.at };
}

export const USAGE_COLUMNS = [
  { name: 'Namespace', type: 'string' },
  { name: 'Pod', type: 'string' },
  { name: 'Container', type: 'string' },
  { name: 'cpu_p95_mcores', type: 'real' },
  { name: 'cpu_avg_mcores', type: 'real' },
  { name: 'mem_max_bytes', type: 'real' },
  { name: 'mem_avg_bytes', type: 'real' },
  { name: 'samples', type: 'long' },
  { name: 'history_hours', type: 'real' },
];

/** The query API's answer: one PrimaryResult table; with `error`, the service's partial answer. */
export function logsAnswer(rows: unknown[][], error?: { code: string; message: string }): Reply {
  return { body: { tables: [{ name: 'PrimaryResult', columns: USAGE_COLUMNS, rows }], ...(error ? { error } : {}) } };
}
