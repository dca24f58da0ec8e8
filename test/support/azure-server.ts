// A local HTTPS server that plays Microsoft Entra's token endpoint and Azure Resource Manager for the real SDK
// clients: the OpenID configuration, client-secret tokens, and Resource Graph queries paged with $skipToken, with
// the faults a real estate shows (429 with Retry-After, 500, a connection reset, a page that never comes, a body
// cut short), the ARM list of a resource's (or subscription's) diagnostic settings, and the SQL and Storage child
// settings of test/support/azure-children.ts (a vault's data plane among them, each vault at an origin of its own), with
// the same faults; any other ARM request goes to the caller's `arm` handler. A token asked for Azure Storage is a JWT
// shaped like Entra's (v1 issuer, audience, lifetime, the principal's object id), which Azurite's OAuth mode reads.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { type ChildCall, childRoute, childrenEstate } from './azure-children.js';
import { testTlsDir } from './azure-tls.js';

export const TEST_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TEST_CLIENT = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
/** The service principal's object id: the `oid` of its storage tokens, and so of the user delegation keys it gets. */
export const TEST_OBJECT_ID = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
/** The scope the Blob SDK asks tokens for, and the audience Azure Storage expects in them. */
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
const STORAGE_AUDIENCE = 'https://storage.azure.com';

/** One Resource Graph request as the server saw it. */
export interface GraphCall {
  /** The query's first word: Resources, ResourceContainers, SecurityResources, AuthorizationResources. */
  table: string;
  query: string;
  subscriptions: string[];
  skipToken: string | undefined;
  /** 1 for a first page, n for the page a skip token asks for. */
  page: number;
  /** The rows a page may hold (`options.$top`), when the request says. */
  top: number | undefined;
  at: number;
}

/** One ARM GET of `{target}/providers/Microsoft.Insights/diagnosticSettings` as the server saw it. */
export interface SettingsCall {
  /** The resource or subscription id, lower case, with its leading slash. */
  target: string;
  apiVersion: string | null;
  at: number;
}

export type Reply =
  /** An answer, after `delayMs` when given (a service's own time to answer). */
  | { status?: number; headers?: Record<string, string>; body: unknown; delayMs?: number }
  /** The socket is destroyed without an answer. */
  | { fault: 'reset' }
  /** No answer ever comes. */
  | { fault: 'hang' }
  /** A 200 whose JSON body stops halfway. */
  | { fault: 'truncated'; body: unknown }
  /** A 200 said to be JSON whose body is this text. */
  | { fault: 'text'; text: string };

/** Any other ARM request (Policy Insights, SQL, Storage, Network, ...) as the server saw it. */
export interface ArmCall {
  method: string;
  /** The path, lower case, with its leading slash and without the query string. */
  path: string;
  /** The query string's parameters (api-version, $top, $skiptoken, $filter, ...). */
  params: URLSearchParams;
  body: string;
  at: number;
}

export interface AzureServerOptions {
  /** The client secret the token endpoint accepts. */
  secret: string;
  graph: (call: GraphCall) => Reply;
  /** Diagnostic settings lists; without it, every target has none. */
  settings?: (call: SettingsCall) => Reply;
  /** SQL auditing, TDE, blob services and lifecycle policies; without it, each parent has ARM's defaults. */
  children?: (call: ChildCall) => Reply;
  /** Every other ARM request; undefined answers 404 as ARM does for an unknown path. */
  arm?: (call: ArmCall) => Reply | undefined;
  /** The token endpoint's refusal repeats the secret it was sent, to prove an echoed secret never reaches output. */
  echoSecret?: boolean;
  /**
   * Once this many Resource Graph requests were made, the tokens issued before them have expired: every ARM request
   * carrying one is a 401 ExpiredAuthenticationToken with its `WWW-Authenticate` challenge. Tokens issued later work.
   */
  expireTokensAfter?: number;
  /** The `aud` of the tokens issued for Azure Storage; default `https://storage.azure.com`, as Entra issues them. */
  storageAudience?: string;
}

export interface AzureServer {
  url: string;
  calls: GraphCall[];
  /** The most Resource Graph requests the server held at once. */
  maxGraphInFlight: number;
  /** Resource Graph requests whose answer was not 200 (429s included), or that the client gave up on first. */
  graphFailures: number;
  settingsCalls: SettingsCall[];
  childCalls: ChildCall[];
  armCalls: ArmCall[];
  tokenRequests: number;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An access token as Entra issues one for Azure Storage: signed in form (Azurite's basic OAuth reads, not verifies, it). */
function storageToken(audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: audience,
    iss: `https://sts.windows.net/${TEST_TENANT}/`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3599,
    appid: TEST_CLIENT,
    oid: TEST_OBJECT_ID,
    sub: TEST_OBJECT_ID,
    tid: TEST_TENANT,
    ver: '1.0',
  };
  return `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}.${randomBytes(64).toString('base64url')}`;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAzureServer(opts: AzureServerOptions): Promise<AzureServer> {
  const tls = testTlsDir();
  const sockets = new Set<Socket>();
  const state = {
    calls: [] as GraphCall[],
    settingsCalls: [] as SettingsCall[],
    childCalls: [] as ChildCall[],
    armCalls: [] as ArmCall[],
    tokenRequests: 0,
    graphInFlight: 0,
    maxGraphInFlight: 0,
    graphFailures: 0,
    /** Access tokens issued, with the number of Resource Graph requests made before each. */
    issued: new Map<string, number>(),
  };
  let base = '';

  /** Whether the request carries a token this server issued and that has not expired; answers 401 when not, as ARM does. */
  const authorized = (req: IncomingMessage, res: ServerResponse): boolean => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const issuedAt = state.issued.get(token);
    if (issuedAt === undefined) {
      // A request without a token learns where to get one, as Azure's services answer (Key Vault asks this way first).
      const challenge: Record<string, string> = req.headers.authorization
        ? {}
        : { 'www-authenticate': `Bearer authorization="${base}/${TEST_TENANT}", resource="${base}"` };
      json(res, 401, { error: { code: 'AuthenticationFailed' } }, challenge);
      return false;
    }
    const expiry = opts.expireTokensAfter;
    if (expiry !== undefined && issuedAt < expiry && state.calls.length >= expiry) {
      const challenge = `Bearer authorization_uri="${base}/${TEST_TENANT}", error="invalid_token", error_description="The access token has expired."`;
      json(
        res,
        401,
        {
          error: {
            code: 'ExpiredAuthenticationToken',
            message: 'The access token expiry UTC time is earlier than current UTC time.',
          },
        },
        { 'www-authenticate': challenge },
      );
      return false;
    }
    return true;
  };

  /** `at`: the listener a request came to; a vault's serves its data plane as `/vaults/<name>/...`. */
  const handle = async (req: IncomingMessage, res: ServerResponse, at = { prefix: '', origin: base }) => {
    const url = new URL(req.url ?? '/', at.origin);
    const body = await bodyOf(req);
    const tenantPath = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(url.pathname);
    if (req.method === 'GET' && tenantPath?.[2]?.startsWith('v2.0')) {
      const t = tenantPath[1];
      return json(res, 200, {
        issuer: `${base}/${t}/v2.0`,
        authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
    }
    if (req.method === 'POST' && tenantPath) {
      state.tokenRequests++;
      const form = new URLSearchParams(body);
      if (tenantPath[1] !== TEST_TENANT || form.get('client_id') !== TEST_CLIENT || form.get('client_secret') !== opts.secret) {
        return json(res, 401, {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided.${opts.echoSecret ? ` client_secret=${form.get('client_secret')}` : ''}`,
          error_codes: [7000215],
        });
      }
      const forStorage = (form.get('scope') ?? '').split(' ').includes(STORAGE_SCOPE);
      const token = forStorage
        ? storageToken(opts.storageAudience ?? STORAGE_AUDIENCE)
        : state.issued.size === 0
          ? 'test-access-token'
          : `test-access-token-${state.issued.size + 1}`;
      state.issued.set(token, state.calls.length);
      return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    if (req.method === 'POST' && url.pathname.toLowerCase() === '/providers/microsoft.resourcegraph/resources') {
      if (!authorized(req, res)) return;
      const request = JSON.parse(body) as {
        query: string;
        subscriptions?: string[];
        options?: { $skipToken?: string; $top?: number };
      };
      const skipToken = request.options?.$skipToken;
      const call: GraphCall = {
        table: request.query.split(/\s/)[0] ?? '',
        query: request.query,
        subscriptions: request.subscriptions ?? [],
        skipToken,
        page: skipToken ? pageOfToken(skipToken) : 1,
        top: request.options?.$top,
        at: Date.now(),
      };
      state.calls.push(call);
      state.maxGraphInFlight = Math.max(state.maxGraphInFlight, ++state.graphInFlight);
      res.on('close', () => {
        state.graphInFlight--;
        if (!res.writableFinished || res.statusCode !== 200) state.graphFailures++;
      });
      return send(req, res, await withVaults(opts.graph(call)));
    }
    const settingsOf = /^(\/subscriptions\/.+)\/providers\/microsoft\.insights\/diagnosticsettings$/i.exec(url.pathname);
    if (req.method === 'GET' && settingsOf) {
      if (!authorized(req, res)) return;
      const call: SettingsCall = {
        target: settingsOf[1]!.toLowerCase(),
        apiVersion: url.searchParams.get('api-version'),
        at: Date.now(),
      };
      state.settingsCalls.push(call);
      return send(req, res, opts.settings?.(call) ?? { body: { value: [] } });
    }
    const child = req.method === 'GET' ? childRoute(`${at.prefix}${url.pathname}`.toLowerCase()) : null;
    if (child) {
      if (!authorized(req, res)) return;
      const token = url.searchParams.get('$skiptoken');
      const call: ChildCall = {
        ...child,
        apiVersion: url.searchParams.get('api-version'),
        page: token ? Number(token) : 1,
        nextLink: (n) => {
          const next = new URL(url.pathname, at.origin);
          next.searchParams.set('api-version', url.searchParams.get('api-version') ?? '');
          next.searchParams.set('$skiptoken', String(n));
          return next.href;
        },
        origin: at.origin,
        at: Date.now(),
      };
      state.childCalls.push(call);
      return send(req, res, (opts.children ?? defaultChildren)(call));
    }
    if (opts.arm && url.pathname.toLowerCase() !== '/') {
      if (!authorized(req, res)) return;
      const call: ArmCall = {
        method: req.method ?? 'GET',
        path: url.pathname.toLowerCase(),
        params: url.searchParams,
        body,
        at: Date.now(),
      };
      state.armCalls.push(call);
      const reply = opts.arm(call);
      if (reply) return send(req, res, reply);
    }
    json(res, 404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
  };

  const servers: Server[] = [];
  const listen = async (at?: { prefix: string }): Promise<string> => {
    let origin = '';
    const server: Server = createServer(
      { key: readFileSync(join(tls, 'server.key')), cert: readFileSync(join(tls, 'server.pem')) },
      (req, res) =>
        void handle(req, res, at ? { ...at, origin } : undefined).catch((e) =>
          json(res, 500, { error: { code: 'TestServer', message: String(e) } }),
        ),
    );
    server.on('secureConnection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return origin;
  };
  // A vault's data plane answers at its own origin, as each vault has its own host: Key Vault's SDK reads a
  // certificate's vault from its id's origin. One listener per vault a Resource Graph row names, made when first named.
  const vaults = new Map<string, Promise<string>>();
  const withVaults = async (reply: Reply): Promise<Reply> => {
    if (!('body' in reply) || 'fault' in reply) return reply;
    let text = JSON.stringify(reply.body);
    for (const token of new Set(text.match(VAULT_TOKEN) ?? [])) {
      const name = token.slice('{vault:'.length, -1);
      if (!vaults.has(name)) vaults.set(name, listen({ prefix: `/vaults/${name}` }));
      text = text.replaceAll(token, await vaults.get(name)!);
    }
    return { ...reply, body: JSON.parse(text) };
  };
  base = await listen();
  return {
    url: base,
    get calls() {
      return state.calls;
    },
    get maxGraphInFlight() {
      return state.maxGraphInFlight;
    },
    get graphFailures() {
      return state.graphFailures;
    },
    get settingsCalls() {
      return state.settingsCalls;
    },
    get childCalls() {
      return state.childCalls;
    },
    get armCalls() {
      return state.armCalls;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

const defaultChildren = childrenEstate();

/** What a Resource Graph row writes for the origin of vault `name`'s data plane (its vaultUri), which the server serves. */
export const vaultOrigin = (name: string) => `{vault:${name}}`;
const VAULT_TOKEN = /\{vault:[a-z0-9-]+\}/g;

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (!('fault' in reply)) {
    if (reply.delayMs)
      setTimeout(() => !res.destroyed && json(res, reply.status ?? 200, reply.body, reply.headers), reply.delayMs);
    else json(res, reply.status ?? 200, reply.body, reply.headers);
  } else if (reply.fault === 'reset') req.socket.destroy();
  else if (reply.fault === 'truncated') {
    const text = JSON.stringify(reply.body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(text.length / 2) });
    res.end(text.slice(0, text.length / 2));
  } else if (reply.fault === 'text') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(reply.text);
  }
  // 'hang': no answer ever comes
}

/**
 * Diagnostic settings by target id (any case), answered as ARM's list (`{ value }`), with faults first:
 * `faults[target]` replies come before the list, one per request.
 */
export function settingsEstate(
  settings: Record<string, Record<string, unknown>[]>,
  faults: Record<string, Reply[]> = {},
): (call: SettingsCall) => Reply {
  const byTarget = new Map(Object.entries(settings).map(([k, v]) => [k.toLowerCase(), v]));
  const pending = new Map(Object.entries(faults).map(([k, v]) => [k.toLowerCase(), [...v]]));
  return (call) => pending.get(call.target)?.shift() ?? { body: { value: byTarget.get(call.target) ?? [] } };
}

/** Skip tokens the server hands out: the page they lead to, base64 as Resource Graph's are opaque. */
const tokenOfPage = (page: number) => Buffer.from(JSON.stringify({ page })).toString('base64');
function pageOfToken(token: string): number {
  try {
    return (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { page?: number }).page ?? 2;
  } catch {
    return 2;
  }
}

/** Quota headers of a healthy answer: plenty left. */
export const QUOTA_OK = { 'x-ms-user-quota-remaining': '14', 'x-ms-user-quota-resets-after': '00:00:05' };

/**
 * An estate served page by page: rows per table (filtered to the request's subscriptions by `subscriptionId`, or
 * by id for subscription containers; all of them for a request that names none), at most `pageSize` rows a page
 * (fewer when the request's `$top` says so), in Resource Graph's recorded answer shape.
 */
export function pagedEstate(tables: Record<string, Record<string, unknown>[]>, pageSize = 2): (call: GraphCall) => Reply {
  // A request's rows, kept per table and subscription list: every page of a query filters the same rows.
  const selected = new Map<string, Record<string, unknown>[]>();
  const rowsOf = (call: GraphCall) => {
    const key = `${call.table} ${call.subscriptions.join(',').toLowerCase()}`;
    let rows = selected.get(key);
    if (!rows) {
      const wanted = new Set(call.subscriptions.map((s) => s.toLowerCase()));
      rows = (tables[call.table] ?? []).filter((r) => {
        const sub = String(r.subscriptionId ?? /^\/subscriptions\/([^/]+)/i.exec(String(r.id))?.[1] ?? '').toLowerCase();
        return wanted.size === 0 || wanted.has(sub); // no subscriptions named: all the credential can read
      });
      selected.set(key, rows);
    }
    return rows;
  };
  return (call) => {
    const rows = rowsOf(call);
    const size = Math.min(pageSize, call.top ?? pageSize);
    const start = (call.page - 1) * size;
    const data = rows.slice(start, start + size);
    const more = start + size < rows.length;
    return {
      headers: QUOTA_OK,
      body: {
        totalRecords: rows.length,
        count: data.length,
        resultTruncated: 'false',
        facets: [],
        ...(more ? { $skipToken: tokenOfPage(call.page + 1) } : {}),
        data,
      },
    };
  };
}

/** Resource Graph's quota per principal: `requests` queries in each window of `windowMs`. */
export interface GraphQuota {
  requests: number;
  windowMs: number;
}

/**
 * Resource Graph's throttling in front of `graph`, as its guidance describes it: a window opens with the first query
 * after the last one closed; each answer carries `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after`
 * (`hh:mm:ss`, whole seconds rounded up, so a fresh window reads 00:00:05); a query past the quota is a 429 with
 * `Retry-After`, and does not count. `throttled` counts those 429s, `windows` the queries answered in each window.
 */
export function withQuota(
  graph: (call: GraphCall) => Reply,
  quota: GraphQuota,
): ((call: GraphCall) => Reply) & { throttled: number; windows: number[] } {
  let windowEnd = 0;
  let used = 0;
  const handler = (call: GraphCall): Reply => {
    const now = Date.now();
    if (now >= windowEnd) {
      windowEnd = now + quota.windowMs;
      used = 0;
      handler.windows.push(0);
    }
    const resetSeconds = Math.ceil((windowEnd - now) / 1000);
    const resetsAfter = new Date(resetSeconds * 1000).toISOString().slice(11, 19);
    if (used >= quota.requests) {
      handler.throttled++;
      return {
        status: 429,
        headers: {
          'retry-after': String(resetSeconds),
          'x-ms-user-quota-remaining': '0',
          'x-ms-user-quota-resets-after': resetsAfter,
        },
        body: {
          error: {
            code: 'RateLimiting',
            message:
              'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed.',
          },
        },
      };
    }
    used++;
    handler.windows[handler.windows.length - 1]!++;
    const reply = graph(call);
    const quotaHeaders = {
      'x-ms-user-quota-remaining': String(quota.requests - used),
      'x-ms-user-quota-resets-after': resetsAfter,
    };
    return 'fault' in reply ? reply : { ...reply, headers: { ...reply.headers, ...quotaHeaders } };
  };
  handler.throttled = 0;
  handler.windows = [] as number[];
  return handler;
}

/**
 * Faults before the real answer: `{ 'Resources#2': [{ status: 500, body }] }` makes the first request for page 2
 * of Resources a 500, the next one the estate's answer.
 */
export function withFaults(graph: (call: GraphCall) => Reply, faults: Record<string, Reply[]>): (call: GraphCall) => Reply {
  return (call) => faults[`${call.table}#${call.page}`]?.shift() ?? graph(call);
}
