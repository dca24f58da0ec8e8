// `compline doctor`: before a night is wasted, whether every configured source and output can be used — a token,
// one small request per subscription, cluster, container and key — and, for each that cannot, what is missing: the
// built-in role to grant and where (docs/permissions.md), the credential that was refused, or the endpoint that did
// not answer. Nothing it reads is kept; the one blob it writes to prove the output container is deleted again.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { type AzureConnection, azureConnection, errorLine } from '../collectors/azure/connection.js';
import { type Config, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { loadSigner } from '../evidence/signer.js';
import { checkRunOutputs } from '../output-paths.js';
import { defaultCredential } from '../reports/storage/blob-publisher.js';
import { loadCatalogue } from '../rules.js';
import { TOOL_VERSION } from '../version.js';

export interface DoctorCheck {
  /** What was checked: `resource-graph subscription:<id>`, `output.blob container:<name>`, ... */
  target: string;
  ok: boolean;
  /** What was seen: the answer, or why it failed. */
  detail: string;
  /** For a failure: what to grant or fix, e.g. "Reader on subscription <id>". */
  remedy: string | null;
}

export interface DoctorResult {
  checks: DoctorCheck[];
  text: string;
  /** 0 everything usable; 4 something configured cannot be used (a run would be partial or fail). */
  exitCode: 0 | 4;
}

const TIMEOUT_MS = 20_000;

/** A failure in our words: the status that says whose fault it is, without URLs or secrets. */
function failure(e: unknown, redact: (t: string) => string = (t) => t): { status: number | null; line: string } {
  const err = e as { statusCode?: number; code?: string; name?: string };
  // The identity platform's refusals (a wrong secret, an unknown client) carry no HTTP status of their own.
  const refused = /\b(AADSTS\d+|invalid_client|unauthorized_client|invalid_grant)\b/.test(String((e as Error)?.message));
  const status = typeof err.statusCode === 'number' ? err.statusCode : refused ? 401 : null;
  const line = errorLine(e, redact)
    .replace(/https?:\/\/\S+/g, '<url>')
    .slice(0, 200);
  if (status) return { status, line: `HTTP ${status}${err.code && !line.includes(err.code) ? ` ${err.code}` : ''}: ${line}` };
  const code =
    typeof err.code === 'string' ? err.code : err.name === 'AbortError' || err.name === 'TimeoutError' ? 'timeout' : null;
  return { status: null, line: code && !line.includes(code) ? `${code}: ${line}` : line };
}

/** What to do about a failed request: the role on a 403, the credential on a 401, the network when nothing answered. */
function remedyFor(status: number | null, role: string, where: string): string {
  if (status === 403) return `grant ${role}`;
  if (status === 401) return `the credential was refused by ${where}: check its secret, client id and tenant`;
  if (status === 404) return `nothing at ${where}: check the name in the config`;
  if (status === null) return `${where} did not answer: check the URL, DNS, firewall or private endpoint`;
  return `${where} answered ${status}: try again, then check the service's health`;
}

async function probe(
  target: string,
  role: string,
  where: string,
  run: (signal: AbortSignal) => Promise<string>,
  redact?: (t: string) => string,
): Promise<DoctorCheck> {
  try {
    return { target, ok: true, detail: await run(AbortSignal.timeout(TIMEOUT_MS)), remedy: null };
  } catch (e) {
    if (e instanceof UsageError) {
      // Config-level checks (the signer's) say the service's status in their message.
      const status = Number(/\bHTTP (\d{3})\b/.exec(e.message)?.[1]);
      return { target, ok: false, detail: e.message, remedy: status ? remedyFor(status, role, where) : null };
    }
    const { status, line } = failure(e, redact);
    return { target, ok: false, detail: line, remedy: remedyFor(status, role, where) };
  }
}

function azureChecks(config: Config, connection: AzureConnection): Promise<DoctorCheck>[] {
  const subs = config.azure && Array.isArray(config.azure.subscriptions) ? config.azure.subscriptions : [];
  const checks: Promise<DoctorCheck>[] = [];
  const graph = new ResourceGraphClient(connection.credential, {
    endpoint: connection.armEndpoint,
    credentials: { scopes: [connection.armScope] },
    retryOptions: { maxRetries: 1 },
    userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
  });
  if (config.sources.resource_graph?.mode === 'live') {
    for (const sub of subs)
      checks.push(
        probe(
          `resource-graph subscription:${sub}`,
          `Reader on subscription ${sub}`,
          connection.armEndpoint,
          async (abortSignal) => {
            const r = await graph.resources({ query: 'Resources | project id | limit 1', subscriptions: [sub] }, { abortSignal });
            return `readable (${r.totalRecords} resource${r.totalRecords === 1 ? '' : 's'} sampled)`;
          },
          connection.redact,
        ),
      );
  }
  if (config.sources.policy?.mode === 'live') {
    for (const sub of subs)
      checks.push(
        probe(
          `policy subscription:${sub}`,
          `Reader on subscription ${sub} (Microsoft.PolicyInsights/policyStates/queryResults/read)`,
          connection.armEndpoint,
          async (abortSignal) => {
            const { PolicyInsightsClient } = await import('@azure/arm-policyinsights');
            const client = new PolicyInsightsClient(connection.credential, {
              endpoint: connection.armEndpoint,
              $host: connection.armEndpoint,
              credentialScopes: [connection.armScope],
              retryOptions: { maxRetries: 1 },
            });
            await client.policyStates
              .listQueryResultsForSubscription('latest', sub, { queryOptions: { top: 1 }, abortSignal })
              .byPage()
              .next();
            return 'policy states readable';
          },
          connection.redact,
        ),
      );
  }
  return checks;
}

type BlobAuth = { kind: 'account_key'; account_name: string; key_env: string } | { kind: 'azure' };

function blobService(url: string, auth: BlobAuth, env: NodeJS.ProcessEnv, credential: () => TokenCredential, label: string) {
  if (auth.kind === 'account_key') {
    const key = env[auth.key_env];
    if (!key) throw new UsageError(`${label}.credential.key_env: environment variable ${auth.key_env} is not set`);
    return new BlobServiceClient(url, new StorageSharedKeyCredential(auth.account_name, key), { retryOptions: { maxTries: 1 } });
  }
  return new BlobServiceClient(url, credential(), { retryOptions: { maxTries: 1 } });
}

export async function doctorCommand(opts: { config: string; env?: NodeJS.ProcessEnv }): Promise<DoctorResult> {
  const env = opts.env ?? process.env;
  const loaded = await loadConfig(opts.config, await loadCatalogue());
  const { config } = loaded;
  const checks: Promise<DoctorCheck>[] = [];
  let connection: AzureConnection | null = null;
  if (config.azure) {
    try {
      connection = azureConnection(config.azure, env);
    } catch (e) {
      checks.push(Promise.resolve({ target: 'azure credential', ok: false, detail: (e as Error).message, remedy: null }));
    }
  }
  const credential = () => connection?.credential ?? defaultCredential();
  if (connection) {
    const c = connection;
    const token = await probe(
      'azure credential',
      'nothing (the identity itself is refused)',
      c.authorityHost,
      async (abortSignal) => {
        await c.credential.getToken(c.armScope, { abortSignal });
        return `token for ${c.armScope}`;
      },
      c.redact,
    );
    checks.push(Promise.resolve(token));
    // Without a token every Azure request would fail the same way: one line says it.
    if (token.ok) checks.push(...azureChecks(config, c));
  }

  const k8s = config.sources.kubernetes;
  if (k8s?.mode === 'live') {
    const { resolveClusters, probeCluster } = await import('../collectors/kubernetes/live-source.js');
    let clusters: ReturnType<typeof resolveClusters> = [];
    try {
      clusters = resolveClusters(k8s, loaded.baseDir);
    } catch (e) {
      checks.push(Promise.resolve({ target: 'kubernetes', ok: false, detail: (e as Error).message, remedy: null }));
    }
    for (const cluster of clusters)
      checks.push(
        (async (): Promise<DoctorCheck> => {
          const target = `kubernetes cluster:${cluster.name}`;
          const failures = await probeCluster(cluster, AbortSignal.timeout(TIMEOUT_MS * 3));
          if (!failures.length) return { target, ok: true, detail: 'every kind the collector lists is listable', remedy: null };
          const first = failures[0]!;
          if (first.status !== 403)
            return { target, ok: false, detail: first.message, remedy: remedyFor(first.status, '', `cluster ${cluster.name}`) };
          const kinds = failures.map((f) => f.kind);
          return {
            target,
            ok: false,
            detail: `HTTP 403 listing ${kinds.join(', ')}`,
            remedy: `grant the ClusterRole view and compline-reader (schedules/base/clusterrole.yaml) to the identity: list ${kinds.join(', ')}`,
          };
        })(),
      );
  }

  const tf = config.sources.terraform;
  if (tf?.mode === 'blob') {
    for (const name of tf.containers) {
      const where = `container ${name} at ${tf.account_url}`;
      checks.push(
        probe(`terraform container:${name}`, `Storage Blob Data Reader on container ${name}`, where, async (abortSignal) => {
          const service = blobService(tf.account_url, tf.credential, env, credential, 'sources.terraform');
          const page = await service.getContainerClient(name).listBlobsFlat({ abortSignal }).byPage({ maxPageSize: 1 }).next();
          return `listable (${page.value?.segment.blobItems.length ? 'states found' : 'empty'})`;
        }),
      );
    }
  }

  const out = config.output.blob;
  if (out) {
    const where = `container ${out.container} at ${out.account_url}`;
    checks.push(
      probe(
        `output.blob container:${out.container}`,
        `Storage Blob Data Contributor on container ${out.container}`,
        where,
        async (abortSignal) => {
          const container = blobService(out.account_url, out.credential, env, credential, 'output.blob').getContainerClient(
            out.container,
          );
          // A container that is not there is the config's to fix (or to create), not a role.
          if (!(await container.exists({ abortSignal })))
            throw Object.assign(new Error(`no container ${out.container}`), { statusCode: 404 });
          const blob = container.getBlockBlobClient(`${out.prefix}.compline-doctor/${randomBytes(8).toString('hex')}`);
          await blob.upload('doctor', 6, { conditions: { ifNoneMatch: '*' }, abortSignal });
          await blob.delete({ abortSignal });
          return 'writable (a probe blob was created and deleted)';
        },
      ),
    );
    // Links for auditors signed by a token credential need a user delegation key: a right of its own.
    if (out.sas_hours > 0 && out.credential.kind === 'azure')
      checks.push(
        probe(
          `output.blob links:${out.container}`,
          `Storage Blob Delegator on the account ${out.account_url}`,
          `the account ${out.account_url}`,
          async (abortSignal) => {
            const now = Date.now();
            await blobService(out.account_url, out.credential, env, credential, 'output.blob').getUserDelegationKey(
              new Date(now - 5 * 60_000),
              new Date(now + 5 * 60_000),
              { abortSignal },
            );
            return `a user delegation key to sign the links (sas_hours ${out.sas_hours})`;
          },
        ),
      );
  }

  const signer = config.signer;
  if (signer && 'key_vault' in signer) {
    const { vault_url, key } = signer.key_vault;
    checks.push(
      probe(`signer key:${key}`, `Key Vault Crypto User on key ${key} of ${vault_url}`, vault_url, async () => {
        const s = await loadSigner(
          signer,
          loaded.baseDir,
          resolve(loaded.baseDir, config.output.store),
          env,
          credential,
          (t) => connection?.redact(t) ?? t,
        );
        await s.sign(Buffer.from('compline doctor'));
        return `signs (${s.algorithm}, ${s.keyId ?? s.kid})`;
      }),
    );
  }

  checks.push(
    (async (): Promise<DoctorCheck> => {
      try {
        const paths = await checkRunOutputs({ config: opts.config }, loaded);
        return {
          target: 'output.dir and output.store',
          ok: true,
          detail: `writable (${paths.out}, ${paths.store})`,
          remedy: null,
        };
      } catch (e) {
        return { target: 'output.dir and output.store', ok: false, detail: (e as Error).message, remedy: null };
      }
    })(),
  );

  const results = await Promise.all(checks);
  const width = Math.max(...results.map((r) => r.target.length));
  const text = results
    .map((r) => `${r.ok ? 'ok  ' : 'FAIL'}  ${r.target.padEnd(width)}  ${r.detail}${r.remedy ? `\n      → ${r.remedy}` : ''}`)
    .join('\n');
  const failed = results.filter((r) => !r.ok).length;
  return {
    checks: results,
    text: `${text}\n\n${failed ? `${failed} of ${results.length} checks failed` : `all ${results.length} checks passed`}`,
    exitCode: failed ? 4 : 0,
  };
}
