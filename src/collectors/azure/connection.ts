// The `azure` config section → endpoints and a credential every Azure collector shares.
import {
  AggregateAuthenticationError,
  AuthenticationError,
  AuthenticationRequiredError,
  ClientSecretCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
  type TokenCredential,
} from '@azure/identity';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';

export type AzureSettings = NonNullable<Config['azure']>;

const CLOUDS = {
  public: {
    arm_endpoint: 'https://management.azure.com',
    authority_host: 'https://login.microsoftonline.com',
    log_analytics_endpoint: 'https://api.loganalytics.io',
    metrics_domain: 'metrics.monitor.azure.com',
  },
  usgov: {
    arm_endpoint: 'https://management.usgovcloudapi.net',
    authority_host: 'https://login.microsoftonline.us',
    log_analytics_endpoint: 'https://api.loganalytics.us',
    metrics_domain: 'metrics.monitor.azure.us',
  },
  china: {
    arm_endpoint: 'https://management.chinacloudapi.cn',
    authority_host: 'https://login.chinacloudapi.cn',
    log_analytics_endpoint: 'https://api.loganalytics.azure.cn',
    metrics_domain: 'metrics.monitor.azure.cn',
  },
} as const;

/** Where Azure Monitor is asked, and the token audiences it takes (sources.monitor); null where the cloud names none. */
export interface MonitorEndpoints {
  /** The metrics batch API is regional: the endpoint for resources of a region. */
  metrics: { endpoint(region: string): string; scope: string } | null;
  /** The Log Analytics query endpoint, `/v1` included. */
  logs: { endpoint: string; scope: string } | null;
}

export interface AzureConnection {
  armEndpoint: string;
  monitor: MonitorEndpoints;
  /** Where tokens come from (Microsoft Entra, or the cloud's own authority). */
  authorityHost: string;
  /** The token scope for ARM (Resource Graph included). */
  armScope: string;
  credential: TokenCredential;
  /** The text with every secret the connection knows replaced: for every reason a collector reports. */
  redact(text: string): string;
  /** Whether a key vault's token challenge must name a parent domain of the vault's host (always, in a named cloud). */
  verifyKeyVaultChallenge: boolean;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Resolves endpoints and builds the credential. A client secret is read from the environment variable the config
 * names; its absence is a usage error, raised before any collection.
 */
export function azureConnection(settings: AzureSettings, env: NodeJS.ProcessEnv = process.env): AzureConnection {
  const cloud = typeof settings.cloud === 'string' ? CLOUDS[settings.cloud] : settings.cloud;
  const armEndpoint = trimSlash(cloud.arm_endpoint);
  const authorityHost = trimSlash(cloud.authority_host);
  const secrets: string[] = [];
  // Instance discovery asks for cloud metadata a private cloud (or a test server) does not publish.
  const options = { authorityHost, disableInstanceDiscovery: typeof settings.cloud !== 'string' };
  let credential: TokenCredential;
  if (settings.credential.kind === 'client_secret') {
    const { tenant_id, client_id, secret_env } = settings.credential;
    const secret = env[secret_env];
    if (!secret) throw new UsageError(`azure.credential.secret_env: environment variable ${secret_env} is not set`);
    secrets.push(secret);
    credential = new ClientSecretCredential(tenant_id, client_id, secret, options);
  } else {
    // DefaultAzureCredential reads a client secret from the environment (EnvironmentCredential): it is kept out too.
    if (env.AZURE_CLIENT_SECRET) secrets.push(env.AZURE_CLIENT_SECRET);
    credential = new DefaultAzureCredential(options);
  }
  return {
    armEndpoint,
    monitor: monitorEndpoints(settings.cloud),
    authorityHost,
    armScope: `${armEndpoint}/.default`,
    credential,
    redact: (text) => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text),
    verifyKeyVaultChallenge: typeof settings.cloud === 'string' || settings.cloud.verify_key_vault_challenge !== false,
  };
}

/**
 * A named cloud's regional metrics hosts (`https://<region>.metrics.monitor.azure.com`) and Log Analytics; a cloud spelt
 * out names one metrics endpoint for every region (a private cloud, a test server), its token audience the same URL.
 */
function monitorEndpoints(cloud: AzureSettings['cloud']): MonitorEndpoints {
  if (typeof cloud === 'string') {
    const { metrics_domain, log_analytics_endpoint } = CLOUDS[cloud];
    return {
      metrics: {
        endpoint: (region) => `https://${region.toLowerCase().replace(/[^a-z0-9]/g, '')}.${metrics_domain}`,
        scope: `https://${metrics_domain}/.default`,
      },
      logs: { endpoint: `${log_analytics_endpoint}/v1`, scope: `${log_analytics_endpoint}/.default` },
    };
  }
  const metrics = cloud.metrics_endpoint ? trimSlash(cloud.metrics_endpoint) : null;
  const logs = cloud.log_analytics_endpoint ? trimSlash(cloud.log_analytics_endpoint) : null;
  return {
    metrics: metrics ? { endpoint: () => metrics, scope: `${metrics}/.default` } : null,
    logs: logs ? { endpoint: `${logs}/v1`, scope: `${logs}/.default` } : null,
  };
}

/** First line of an error's message, secrets removed. */
export function errorLine(e: unknown, redact: (text: string) => string): string {
  const message = e instanceof Error ? e.message : String(e);
  return redact(message.split('\n').find((l) => l.trim()) ?? 'error').trim();
}

/** What went wrong with a request, in one line without secrets: the HTTP status when there was one. */
export function requestFailure(e: unknown, redact: (text: string) => string): string {
  const { statusCode, code } = e as { statusCode?: number; code?: string };
  const line = errorLine(e, redact);
  if (statusCode) return `HTTP ${statusCode}${code && !line.includes(code) ? ` ${code}` : ''}: ${line}`;
  return code && !line.includes(code) ? `${code}: ${line}` : line;
}

/** Why collection was stopped: the reason the run gave (e.g. "run deadline reached (600 s)"), or that it was cancelled. */
export function stopReason(signal: AbortSignal): string {
  const { reason } = signal;
  return reason instanceof Error && reason.name !== 'AbortError' && reason.message ? reason.message : 'collection cancelled';
}

/**
 * Asks for one token before any collection. A credential the token endpoint refuses, one with nothing to authenticate
 * with, or a token endpoint that cannot be reached is a usage error naming the authority; a token endpoint that fails
 * (5xx) is left to collection, whose scopes then report the failure.
 */
export async function verifyCredential(connection: AzureConnection, signal?: AbortSignal): Promise<void> {
  try {
    await connection.credential.getToken(connection.armScope, { abortSignal: signal });
  } catch (e) {
    const refused =
      e instanceof AuthenticationRequiredError ||
      e instanceof CredentialUnavailableError ||
      e instanceof AggregateAuthenticationError ||
      (e instanceof AuthenticationError && e.statusCode >= 400 && e.statusCode < 500);
    if (refused && !signal?.aborted)
      throw new UsageError(
        `azure.credential: no token for ${connection.armScope} from ${connection.authorityHost} (${credentialFailure(e, connection.redact)})`,
      );
  }
}

/** The first line of a credential's error, and the first of the details a chained credential puts below it. */
function credentialFailure(e: unknown, redact: (text: string) => string): string {
  const message = e instanceof Error ? e.message : String(e);
  const details = /\nMore details:\n\s*([^\n]+)/.exec(message)?.[1]?.trim();
  const first = errorLine(e, redact);
  return details ? `${first} ${redact(details)}` : first;
}
