// `compline run`: collect → store → evaluate → per-tenant reports. The nightly job.
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import { sendAlerts } from '../alerts/send-alerts.js';
import { childReader, enabledChecks } from '../child-reads.js';
import { type AzureConnection, azureConnection } from '../collectors/azure/connection.js';
import type { Collector, CollectorEvent } from '../collectors/collector.js';
import { reconcileExport } from '../collectors/cost/export-manifest.js';
import { costSource } from '../collectors/cost/index.js';
import { loadCostExport } from '../collectors/cost/load-export.js';
import { KubernetesFileSource } from '../collectors/kubernetes/file-source.js';
import { monitorCollectors } from '../collectors/monitor/index.js';
import { PolicyFileSource } from '../collectors/policy/file-source.js';
import { livePolicy } from '../collectors/policy/live-source.js';
import { ResourceGraphFileSource } from '../collectors/resource-graph/file-source.js';
import { liveResourceGraph } from '../collectors/resource-graph/live-source.js';
import { ResourceChangesFileSource } from '../collectors/resource-graph/resource-changes.js';
import { liveResourceChanges } from '../collectors/resource-graph/resource-changes-live.js';
import { terraformStateSource } from '../collectors/terraform-state/index.js';
import { type Config, type LoadedConfig, loadConfig } from '../config.js';
import { evaluateInto, storedFindings, validateQueries } from '../engine.js';
import { UsageError } from '../errors.js';
import { loadSigner } from '../evidence/signer.js';
import { runFinops } from '../finops/index.js';
import { type CheckMeta, type Finding, SEVERITIES, type Severity } from '../model.js';
import type { RunTelemetry } from '../observability/run-telemetry.js';
import { checkRunOutputs } from '../output-paths.js';
import { type FinopsSection, readFinopsSections } from '../reports/finops-section.js';
import { localFolderWriter } from '../reports/output-writer.js';
import { publishReports } from '../reports/publish.js';
import { blobPublisher, defaultCredential, type UploadedFile } from '../reports/storage/blob-publisher.js';
import { buildTenantReport, type RunMeta, type TenantReport } from '../reports/tenant-report.js';
import { loadCatalogue, sharedMacros } from '../rules.js';
import { ownsTenant, type Shard, shardName } from '../sharding/shard.js';
import { inScope, keepShardRows, strayRows } from '../sharding/shard-rows.js';
import { type ShardScope, shardScope } from '../sharding/shard-scope.js';
import { writeShardSnapshot } from '../sharding/snapshot.js';
import { type AlertDelivery, type FindingHistory, type SourceStatus, Store } from '../store.js';
import { tenantResolver } from '../tenancy.js';
import { TOOL_VERSION } from '../version.js';
import { FileScopeOwner } from './file-scope-owner.js';

export interface RunOptions {
  config: string;
  /** Overrides output.dir. */
  out?: string;
  /** Overrides output.store. */
  store?: string;
  parquet?: string;
  /** Exit 1 when a failing finding is at or above this severity. */
  failOn?: Severity;
  /** For reproducible runs and tests; defaults to now. */
  now?: Date;
  log?: (line: string) => void;
  /** Where alert routes read their URLs and keys; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Shared by the processes of a sharded run; defaults to a new id from `now`. */
  runId?: string;
  /** Only this shard's tenants (and the platform on shard 0) are reported; see src/sharding/shard.ts. */
  shard?: Shard;
  /** Log format, progress and metrics; without it, plain lines through `log`. */
  telemetry?: RunTelemetry;
}

export interface RunResult {
  runId: string;
  outDir: string;
  status: RunMeta['status'];
  reports: Map<string, TenantReport>;
  summary: string;
  findings: Finding[];
  /** Source scopes by status. */
  sources: Record<SourceStatus['status'], number>;
  /** 0; 1 findings at or above --fail-on; 6 not published to Blob (wins over 1); 4 the run did not see the whole estate (wins over both). */
  exitCode: 0 | 1 | 4 | 6;
  /** One line saying why the exit code is not 0; null when it is. */
  exitReason: string | null;
  /** Alert messages sent or tried after the reports were published. */
  alerts: AlertDelivery[];
  /** Files published to `output.blob`, with read-only links when `sas_hours` asks for them. */
  uploads: UploadedFile[];
}

export const PLATFORM = '_platform';

/** Exit code of a run whose sources failed or were incomplete: a scheduler must not take it for a healthy run. */
export const EXIT_SOURCES_INCOMPLETE = 4;

/** Exit code of a run whose reports were written locally but not published to the configured Blob container. */
export const EXIT_NOT_PUBLISHED = 6;

/**
 * What the run saw: `ok` every source scope was collected completely (verdicts may still be `error` where a
 * resource lacks a property; they are counted per framework); `partial` some scope was incomplete or failed;
 * `failed` no scope delivered a single row.
 */
export function runStatus(sources: readonly Pick<SourceStatus, 'status'>[], rows: number): RunMeta['status'] {
  if (rows === 0) return 'failed';
  return sources.some((s) => s.status !== 'ok') ? 'partial' : 'ok';
}

function exitOf(
  status: RunMeta['status'],
  sources: readonly SourceStatus[],
  findings: readonly Finding[],
  failOn: Severity | undefined,
  notPublished: string | null = null,
): Pick<RunResult, 'exitCode' | 'exitReason'> {
  if (status !== 'ok') {
    const bad = sources.filter((s) => s.status !== 'ok');
    const first = bad[0];
    const why = first
      ? `${first.source} ${first.status} for ${first.scope}: ${first.error ?? 'incomplete'}`
      : 'no source scope reported';
    const what = status === 'failed' ? 'no resources collected' : `${bad.length} of ${sources.length} source scopes incomplete`;
    return { exitCode: EXIT_SOURCES_INCOMPLETE, exitReason: `run ${status}: ${what} (${why}${bad.length > 1 ? '; …' : ''})` };
  }
  if (notPublished) return { exitCode: EXIT_NOT_PUBLISHED, exitReason: `run ${notPublished}` };
  const failing = failOn ? worstFailing(findings, failOn) : 0;
  if (failOn && failing > 0)
    return {
      exitCode: 1,
      exitReason: `${failing} failing finding${failing === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn})`,
    };
  return { exitCode: 0, exitReason: null };
}

/**
 * The sources as configured; for a shard, the live Azure sources ask only for the subscriptions the shard collects
 * (none at all when it collects none: an empty list would mean every subscription) and a live Kubernetes source lists
 * only its clusters. Cost is collected whole by every shard: a day's split is rounded to the cent over all of it, and
 * a shared service split in proportion needs every tenant's direct cost. What the sources still deliver of other
 * shards' scopes (files, discovery) is dropped as it arrives (see inScope).
 */
async function collectorsFor(
  loaded: LoadedConfig,
  checks: readonly CheckMeta[],
  env: NodeJS.ProcessEnv,
  scope: ShardScope | null,
): Promise<Collector[]> {
  const rg = loaded.config.sources.resource_graph;
  if (!rg) throw new UsageError(`sources.resource_graph: no source configured; nothing to audit`);
  // The config's cross-check requires the azure section for a live source.
  const configured = loaded.config.azure;
  const azure =
    configured && scope && Array.isArray(configured.subscriptions)
      ? { ...configured, subscriptions: configured.subscriptions.filter((s) => scope.subscription(s)) }
      : configured;
  const live = (mode: string | undefined) =>
    mode === 'live' && !(Array.isArray(azure?.subscriptions) && !azure.subscriptions.length);
  const collectors: Collector[] = [];
  if (rg.mode === 'file') collectors.push(new ResourceGraphFileSource(rg.paths, loaded.baseDir));
  else if (live(rg.mode))
    collectors.push(liveResourceGraph(azure!, process.env, childReader(enabledChecks(checks, loaded.config.tenants))));
  const policy = loaded.config.sources.policy;
  if (policy?.mode === 'file') collectors.push(new PolicyFileSource(policy.paths, loaded.baseDir));
  else if (policy && live(policy.mode)) collectors.push(livePolicy(azure!, policy));
  const k8s = loaded.config.sources.kubernetes;
  // client-node takes a second of CPU to load: only a live Kubernetes source pays for it.
  if (k8s?.mode === 'live')
    collectors.push(
      (await import('../collectors/kubernetes/live-source.js')).liveKubernetes(
        k8s,
        loaded.baseDir,
        scope ? scope.cluster : undefined,
      ),
    );
  else if (k8s) collectors.push(new KubernetesFileSource(k8s.paths, loaded.baseDir));
  const { terraform, resource_changes } = loaded.config.sources;
  if (terraform) collectors.push(terraformStateSource(terraform, loaded, env));
  if (resource_changes?.mode === 'file') collectors.push(new ResourceChangesFileSource(resource_changes.paths, loaded.baseDir));
  else if (resource_changes && live(resource_changes.mode)) collectors.push(liveResourceChanges(azure!, env));
  const { monitor } = loaded.config.sources;
  if (monitor && (monitor.mode !== 'live' || live(monitor.mode)))
    collectors.push(...monitorCollectors(monitor, azure, loaded.baseDir, env));
  const cost = loaded.config.sources.cost;
  if (cost) collectors.push(costSource(cost, loaded, env));
  return collectors;
}

export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function worstFailing(findings: readonly Pick<Finding, 'status' | 'severity'>[], threshold: Severity): number {
  const min = SEVERITIES.indexOf(threshold);
  return findings.filter((f) => f.status === 'fail' && SEVERITIES.indexOf(f.severity) >= min).length;
}

function summaryTable(reports: Map<string, TenantReport>): string {
  const lines = [['tenant', 'framework', 'pass', 'fail', 'error', 'waived', 'unknown']];
  for (const [tenant, report] of reports) {
    const entries = Object.entries(report.frameworks);
    if (!entries.length) lines.push([tenant, '-', '', '', '', '', '']);
    for (const [fw, section] of entries) {
      const c = section.counts;
      lines.push([tenant, fw, ...[c.pass, c.fail, c.error, c.waived, c.unknown].map(String)]);
    }
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l) => l.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}

const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * Per report and currency: the cost directly owned, the shared cost allocated to it (the platform: unassigned and
 * idle), the total, the monthly savings its recommendations name and the largest; empty when no cost was collected.
 */
export function finopsTable(sections: ReadonlyMap<string, FinopsSection | undefined>): string {
  const lines = [['tenant', 'currency', 'direct', 'allocated', 'total', 'savings/mo', 'top saving', 'cost data']];
  for (const [tenant, f] of sections) {
    if (!f || f.status === 'not_collected') continue;
    const savings = (currency: string) => f.recommendations.filter((r) => r.currency === currency);
    const state = f.status === 'complete' ? 'complete' : 'INCOMPLETE';
    for (const t of f.totals) {
      const direct = t.by_source.filter((s) => s.source === 'direct').reduce((a, s) => a + s.amount, 0);
      const recs = savings(t.currency);
      const top = recs[0];
      lines.push([
        tenant,
        t.currency,
        money(direct),
        money(t.total - direct),
        money(t.total),
        money(recs.reduce((a, r) => a + (r.monthly_savings ?? 0), 0)),
        top ? `${top.rule_id} ${top.resource_id.split('/').at(-1)} ${money(top.monthly_savings ?? 0)}` : '-',
        state,
      ]);
    }
    if (!f.totals.length) lines.push([tenant, '-', '', '', '', '', '-', state]);
  }
  if (lines.length === 1) return '';
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  return lines
    .map((l) =>
      l
        .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function runCommand(opts: RunOptions): Promise<RunResult> {
  const telemetry = opts.telemetry;
  const log = opts.log ?? telemetry?.line ?? ((line: string) => process.stderr.write(`${line}\n`));
  telemetry?.phase('prepare');
  const catalogue = await loadCatalogue();
  // Every problem of the config (the catalogue's included) and of the output paths is reported before any work.
  const loaded = await loadConfig(opts.config, catalogue);
  const { config } = loaded;
  const paths = await checkRunOutputs(opts, loaded);
  const env = opts.env ?? process.env;
  const scope = opts.shard ? shardScope(config, opts.shard) : null;
  const collectors = await collectorsFor(loaded, catalogue.checks, env, scope);
  if (telemetry) collectors.splice(0, collectors.length, ...collectors.map((c) => telemetry.observe(c)));
  // A key that cannot sign is found before any collection, like credentials that do not work.
  // One connection for the signer and the container, made when first needed: it knows the secrets their errors may echo.
  let connection: AzureConnection | undefined;
  const azureCredential = () => {
    if (!config.azure) return defaultCredential();
    connection ??= azureConnection(config.azure, env);
    return connection.credential;
  };
  const redact = (text: string) => connection?.redact(text) ?? text;
  // Reports are evidence: a run never writes one nobody signed. The demo signer is a deliberate, visible choice.
  if (!config.signer)
    throw new UsageError(
      `${opts.config}: signer: compline run signs every report and evidence pack; configure a key (key_file, or ` +
        'key_vault) or, to try Compline, `signer: { demo: true }` (reports marked DEMO, not for audit use)',
    );
  const signer = await loadSigner(config.signer, loaded.baseDir, paths.store, env, azureCredential, redact);
  // So is a container the reports could not be published to.
  const blobSettings = config.output.blob;
  const blob = blobSettings ? await blobPublisher(blobSettings, env, azureCredential, redact) : null;
  // The whole-run deadline stops what is still being collected; the scopes it cuts short say so, and the run reports.
  const stop = new AbortController();
  const runDeadline = config.azure?.run_deadline_seconds;
  const deadlineTimer = runDeadline
    ? setTimeout(() => stop.abort(new Error(`run deadline reached (${runDeadline} s)`)), runDeadline * 1000).unref()
    : undefined;
  // Credentials that do not work at all stop the run here, before the store or any output exists.
  for (const c of collectors) await c.prepare?.(stop.signal);
  const now = opts.now ?? new Date();
  const runId = opts.runId ?? newRunId(now);
  telemetry?.setRun(runId);
  const owned = (tenant: string | null) => !opts.shard || ownsTenant(opts.shard, tenant, PLATFORM);
  // The store opens first: a store that cannot be opened leaves no staged output behind.
  const store = await Store.open(paths.store);
  let writer: Awaited<ReturnType<typeof localFolderWriter>> | null = null;
  let begun = false;
  const parquetFinal = paths.parquet ? resolve(paths.parquet, runId) : null;
  const parquetStaging = paths.parquet ? resolve(paths.parquet, `.${runId}.partial`) : null;
  let parquetPublished = false;
  try {
    // A shard publishes beside the others: <out>/<run-id>/shard-<i>-of-<n>/<tenant>/.
    writer = opts.shard
      ? await localFolderWriter(resolve(paths.out, runId), shardName(opts.shard))
      : await localFolderWriter(paths.out, runId);
    await store.beginRun({ runId, mode: 'nightly', toolVersion: TOOL_VERSION, configSha256: loaded.sha256 });
    begun = true;
    await store.scopeToRun(runId);
    await validateQueries(store, catalogue.checks);

    await store.recordTenants(runId, config.tenants);
    const tenancy = tenantResolver(config);
    let collected = 0;
    // Collectors run side by side; their events reach the store one at a time.
    const toStore = pLimit(1);
    const handle = (arrived: CollectorEvent, files: FileScopeOwner) =>
      toStore(async () => {
        // Resource rows are stamped with their tenant as they arrive, so a file of one tenant's rows is that tenant's
        // scope in every shard alike.
        if (arrived.kind === 'rows' && arrived.table === 'resources')
          for (const row of arrived.rows) row.tenant_id = tenancy.resourceTenant(row);
        const stamped = files.stamp(arrived);
        const event = scope ? inScope(scope, stamped) : stamped;
        if (event === null) return;
        if (event.kind === 'rows' && event.table === 'policy_states') {
          await store.appendPolicyStates(runId, event.rows);
        } else if (event.kind === 'iac-documents') {
          // Tenant and environment come from the state's key, never from what the state holds.
          await store.appendIacDocuments(runId, event.documents);
        } else if (event.kind === 'rows' && event.table === 'resource_changes') {
          await store.appendResourceChanges(runId, event.rows);
        } else if (event.kind === 'rows' && event.table === 'metrics') {
          await store.appendMetrics(runId, event.rows);
        } else if (event.kind === 'rows' && event.table === 'k8s_usage') {
          await store.appendK8sUsage(runId, event.rows);
        } else if (event.kind === 'cost-export') {
          const outcome = reconcileExport(await loadCostExport(store, runId, event.file), event.file);
          await store.recordSource(runId, { source: 'cost', scope: `file:${event.file.label}`, ...outcome, tenant_id: null });
          if (outcome.status !== 'ok') log(`warn: cost ${outcome.status}: ${outcome.error}`);
        } else if (event.kind === 'rows' && event.table === 'costs') {
          await store.appendCosts(runId, event.rows);
        } else if (event.kind === 'rows' && event.table === 'k8s_objects') {
          await store.appendK8sObjects(runId, event.rows);
          collected += event.rows.length;
        } else if (event.kind === 'rows') {
          await store.appendResources(runId, event.rows);
          collected += event.rows.length;
        } else if (event.kind === 'coverage') {
          await store.appendCoverage(runId, event.rows);
        } else {
          // A subscription a tenant owns outright is that tenant's scope: other tenants' reports do not name it.
          // So is a cluster dedicated to one tenant, and a file of one tenant's resources.
          const sub = /^subscription:(.+)$/.exec(event.status.scope)?.[1];
          const cluster = /^cluster:(.+)$/.exec(event.status.scope)?.[1];
          const owner =
            event.status.tenant_id ??
            (sub ? tenancy.subjectTenant(`/subscriptions/${sub}`) : cluster ? tenancy.clusterTenant(cluster) : null);
          await store.recordSource(runId, { ...event.status, tenant_id: owner });
          if (event.status.status !== 'ok')
            log(`warn: ${event.status.source} ${event.status.status} for ${event.status.scope}: ${event.status.error}`);
        }
      });
    telemetry?.phase('collect');
    const collecting = pLimit(config.azure?.concurrency ?? 4);
    await Promise.all(
      collectors.map((collector) =>
        collecting(async () => {
          const files = new FileScopeOwner((id) => tenancy.subjectTenant(id));
          try {
            for await (const event of collector.collect(stop.signal)) await handle(event, files);
          } catch (e) {
            const error = (e as Error).message.split('\n')[0] ?? 'error';
            await handle(
              {
                kind: 'status',
                status: { source: collector.source, scope: 'all', status: 'failed', error, rows: 0 },
              },
              files,
            );
          }
        }),
      ),
    );
    await store.stampFlowLogTenants(runId);
    clearTimeout(deadlineTimer);
    await store.stampCoverageTenants(runId);
    await store.stampPolicyTenants(runId, (id) => tenancy.subjectTenant(id));
    await store.stampChangeTenants(runId, (id) => tenancy.subjectTenant(id));
    await store.stampK8sTenants(
      runId,
      { cluster: (c) => tenancy.clusterTenant(c), namespace: (n, label) => tenancy.namespaceTenant(n, label) },
      config.mapping.namespace_label,
    );
    await store.stampMetricTenants(runId, (id) => tenancy.subjectTenant(id));
    await store.stampK8sUsageTenants(runId, {
      cluster: (c) => tenancy.clusterTenant(c),
      namespace: (n, label) => tenancy.namespaceTenant(n, label),
    });
    // FinOps reports its counts as progress (a terminal, JSON logs); its warnings go where the run's warnings go.
    const finopsLog = (line: string) =>
      /^(warn|error): /.test(line) ? log(line) : telemetry?.progress({ source: 'finops' }, line);
    await runFinops({ store, runId, config, baseDir: loaded.baseDir, today: now.toISOString().slice(0, 10), log: finopsLog });
    // A shard keeps its tenants' rows (and those no tenant owns) once the shared costs are split; what it drops of a
    // tenant its shard never saw is recorded, so the merge does not take that tenant as whole.
    const strays = scope ? await strayRows(store, runId, config, scope) : [];
    for (const s of strays)
      log(`warn: ${s.rows} row${s.rows === 1 ? '' : 's'} of tenant ${s.tenant} in ${s.scope}, which its shard does not collect`);
    if (scope) await keepShardRows(store, runId, scope);

    telemetry?.phase('evaluate');
    // A tenant is audited against its own frameworks: a check none of them names gives it no finding, in the store or
    // anywhere after it (the platform's findings, with no tenant, are all kept).
    const evaluation = await evaluateInto(
      store,
      catalogue.checks,
      {
        runId,
        tenantIds: scope ? scope.tenants : tenancy.tenantIds,
        subjectTenant: (id) => tenancy.subjectTenant(id),
        waivers: config.waivers,
        params: config.check_params,
        today: now.toISOString().slice(0, 10),
      },
      {
        firstSeen: true,
        dropped: (check) => ({
          platform: !owned(null),
          tenants: config.tenants
            .filter((t) => !owned(t.id) || !t.frameworks.some((fw) => check.requirements[fw]))
            .map((t) => t.id),
        }),
      },
    );
    const findings = await storedFindings(store, runId, catalogue.checks);
    for (const e of evaluation.expiredWaivers)
      log(`warn: waiver ${e.waiver.id} expired on ${e.waiver.expires}; it no longer applies (${e.matched} findings)`);

    const sources = await store.read<SourceStatus>(
      'select source, scope, status, error, rows::integer as rows, tenant_id from source_status order by source, scope',
    );
    // A shard with no tenant that is not the platform's has nothing to collect, and no rows is all it can see.
    const status = runStatus(sources, scope && !scope.keeps(null) ? Number.POSITIVE_INFINITY : collected);
    await store.finishRun(runId, status);
    const [meta] = await store.read<{ started_at: string; finished_at: string }>(
      `select strftime(started_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as started_at,
              strftime(finished_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as finished_at
       from runs where run_id = '${runId}'`,
    );
    const run: RunMeta = {
      run_id: runId,
      mode: 'nightly',
      started_at: meta?.started_at ?? now.toISOString(),
      finished_at: meta?.finished_at ?? now.toISOString(),
      tool_version: TOOL_VERSION,
      config_sha256: loaded.sha256,
      status,
    };

    const histories = new Map<string, FindingHistory>();
    for (const tenant of [...config.tenants.map((t) => t.id), PLATFORM])
      histories.set(tenant, await store.findingHistory(runId, tenant === PLATFORM ? null : tenant));
    const policyStates = config.sources.policy ? await store.policyGroupCounts(runId) : null;
    const finops = await readFinopsSections(
      store,
      runId,
      config.tenants.map((t) => t.id),
    );
    const reports = new Map<string, TenantReport>();
    const byTenant = groupBy(findings, (f) => f.tenant_id ?? PLATFORM);
    for (const tenant of config.tenants) {
      reports.set(
        tenant.id,
        buildTenantReport({
          run,
          tenant,
          frameworkIds: tenant.frameworks,
          frameworks: catalogue.frameworks,
          checks: catalogue.checks,
          byId: catalogue.byId,
          findings: byTenant.get(tenant.id) ?? [],
          waivers: waiversFor(config, tenant.id, evaluation.expiredWaivers, byTenant.get(tenant.id) ?? []),
          sources: sources.filter((s) => s.tenant_id === null || s.tenant_id === tenant.id),
          policyStates: policyStates?.filter((p) => p.tenant_id === tenant.id) ?? null,
          history: histories.get(tenant.id) ?? null,
          finops: finops.get(tenant.id),
        }),
      );
    }
    const unassigned = await store.read<{ id: string; type: string }>(
      'select id, type from resources where tenant_id is null order by id',
    );
    reports.set(
      PLATFORM,
      buildTenantReport({
        run,
        tenant: null,
        frameworkIds: [...catalogue.frameworks.keys()],
        frameworks: catalogue.frameworks,
        checks: catalogue.checks,
        byId: catalogue.byId,
        findings: byTenant.get(PLATFORM) ?? [],
        waivers: waiversFor(config, null, evaluation.expiredWaivers, byTenant.get(PLATFORM) ?? []),
        sources,
        policyStates: policyStates?.filter((p) => p.tenant_id === null) ?? null,
        history: histories.get(PLATFORM) ?? null,
        unassigned,
        finops: finops.get(null),
      }),
    );
    for (const id of reports.keys()) if (!owned(id)) reports.delete(id);
    telemetry?.phase('report');
    await publishReports({
      store,
      writer,
      signer,
      reports,
      checks: catalogue.byId,
      params: config.check_params,
      macros: sharedMacros(),
    });
    // Published last, Parquet first: a report folder never appears without the snapshot it was asked to have.
    if (parquetStaging && parquetFinal) {
      await rm(parquetStaging, { recursive: true, force: true });
      await store.exportRunParquet(runId, parquetStaging);
      await rename(parquetStaging, parquetFinal);
      parquetPublished = true;
    }
    if (opts.shard)
      await writeShardSnapshot({ store, writer, signer, runId, shard: opts.shard, status, config, loaded, reports, strays });
    const outDir = await writer.commit();
    // The local folder is the run's record; the container gets a copy, and a copy that failed is the run's exit status.
    let uploads: UploadedFile[] = [];
    let notPublished: string | null = null;
    telemetry?.phase('publish');
    if (blob) {
      try {
        uploads = await blob.publish(outDir, runId);
      } catch (e) {
        notPublished = `not published to ${blob.location}: ${(e as Error).message.split('\n')[0]}`;
        log(`error: ${notPublished}`);
      }
    }
    // Alerts go out once the reports they point at exist; nothing they meet can fail the audit.
    let alerts: AlertDelivery[] = [];
    telemetry?.phase('alerts');
    try {
      alerts = await sendAlerts({
        alerts: config.alerts,
        baseDir: loaded.baseDir,
        reports,
        histories,
        env: opts.env ?? process.env,
        log,
      });
      await store.recordAlertDeliveries(runId, alerts);
    } catch (e) {
      log(`warn: alerts not sent: ${(e as Error).message.split('\n')[0]}`);
    }

    const counts = { ok: 0, partial: 0, failed: 0 };
    for (const s of sources) counts[s.status]++;
    return {
      runId,
      outDir,
      status,
      reports,
      summary: [summaryTable(reports), finopsTable(new Map([...reports].map(([t, r]) => [t, r.finops])))]
        .filter(Boolean)
        .join('\n\n'),
      findings,
      sources: counts,
      alerts,
      uploads,
      ...exitOf(status, sources, findings, opts.failOn, notPublished),
    };
  } catch (e) {
    // Nothing of a run that failed stays: no staged or published output, no Parquet, no rows in the history.
    // Each step is tried whatever the others do, and none hides the error that stopped the run.
    const steps = [
      writer?.abort(),
      parquetStaging && rm(parquetStaging, { recursive: true, force: true }),
      parquetPublished && parquetFinal && rm(parquetFinal, { recursive: true, force: true }),
      begun && store.discardRun(runId),
    ];
    await Promise.allSettled(steps);
    throw e;
  } finally {
    store.close();
  }
}

/**
 * The waiver register a report carries. A tenant sees its own waivers, and a platform-wide waiver only
 * where it waived one of the tenant's findings: a waiver's resource pattern and match count can name
 * other tenants' estate. The platform report carries every platform-wide waiver.
 */
function waiversFor(
  config: Config,
  tenant: string | null,
  expired: { waiver: Config['waivers'][number]; matched: number }[],
  findings: readonly Finding[],
) {
  const applied = new Set(findings.map((f) => f.waiver_id).filter((id) => id !== null));
  const lapsed = new Set(expired.map((e) => e.waiver.id));
  const mine = (w: Config['waivers'][number]) => (tenant === null ? !w.tenant : w.tenant === tenant);
  return {
    active: config.waivers.filter((w) => !lapsed.has(w.id) && (mine(w) || applied.has(w.id))),
    expired: expired.filter((e) => mine(e.waiver)),
  };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
