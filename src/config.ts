// compline.yaml: one zod schema validates the file and generates compline.schema.json for editors.
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { costSource } from './collectors/cost/config.js';
import { monitorSource } from './collectors/monitor/config.js';
import { catalogueProblems, isRecord } from './config-catalogue.js';
import { UsageError } from './errors.js';
import { allocationProblems } from './finops/allocation/config.js';
import { finopsConfig } from './finops/config.js';
import { finopsRulesProblems } from './finops/rules/config.js';
import { signalsProblems } from './finops/signals/config.js';
import { type Catalogue, loadCatalogue } from './rules.js';
import { closest, didYouMean } from './suggest.js';

export const FRAMEWORKS = ['pci-dss-4.0.1', 'sox-itgc', 'gdpr', 'soc2'] as const;

const id = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'expected a lower-case id: letters, digits, underscores');
const nonEmpty = z.string().min(1);

const tenant = z.strictObject({
  id,
  name: nonEmpty,
  tier: z.enum(['standard', 'premium', 'enterprise']),
  frameworks: z.array(z.enum(FRAMEWORKS)).min(1),
  environments: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1),
  regions: z.array(nonEmpty).default([]),
  /** Subscriptions this tenant owns outright. */
  subscriptions: z.array(z.uuid()).default([]),
  /** AKS clusters dedicated to this tenant (every namespace is the tenant's). */
  clusters: z.array(nonEmpty).default([]),
});

const mapping = z.strictObject({
  /** Tag whose value names the owning tenant; wins over every other rule. */
  tenant_tag: nonEmpty.default('CustomerID'),
  /** Resource-group name patterns; {tenant} and {env} are placeholders, * matches anything. */
  resource_groups: z.array(nonEmpty).default(['rg-{tenant}-{env}']),
  /** Clusters shared by several tenants; namespaces decide ownership there. */
  shared_clusters: z.array(nonEmpty).default([]),
  namespaces: z.array(nonEmpty).default(['gc-{tenant}-*']),
  namespace_label: nonEmpty.default('customer'),
});

const fileSource = z.strictObject({
  mode: z.literal('file'),
  /** Files or folders (every *.json inside), relative to the config file. */
  paths: z.array(nonEmpty).min(1),
});
/** Collects from Azure through the `azure` connection. */
const liveSource = z.strictObject({ mode: z.literal('live') });
const source = z.discriminatedUnion('mode', [fileSource, liveSource]);

/**
 * An ARM id of a policy object, built in or at a management group, subscription or resource group; no quotes (it goes
 * into an OData filter). A refinement, not a pattern: ARM ids are case-insensitive and JSON Schema patterns are not.
 */
const policyObjectId = (collection: string) => {
  const re = new RegExp(
    `^(/providers/Microsoft\\.Management/managementGroups/[^/'\\s]+|/subscriptions/[^/'\\s]+(/resourceGroups/[^/'\\s]+)?)?/providers/Microsoft\\.Authorization/${collection}/[^/'\\s]+$`,
    'i',
  );
  return z
    .string()
    .refine((id) => re.test(id), `expected a ${collection} id, e.g. /providers/Microsoft.Authorization/${collection}/<name>`);
};
/** Azure Policy states: from files, or from Policy Insights through the `azure` connection. */
const policySource = z.discriminatedUnion('mode', [
  fileSource,
  z.strictObject({
    mode: z.literal('live'),
    /** Policy set definitions (initiatives) whose states are collected, beside the built-in PCI DSS v4.0.1 one. */
    initiatives: z.array(policyObjectId('policySetDefinitions')).default([]),
    /** Policy assignments whose states are collected, whatever they assign. */
    assignments: z.array(policyObjectId('policyAssignments')).default([]),
  }),
]);

/** Kubernetes objects: `kubectl get -o yaml|json` files (a folder per cluster), or the clusters' API servers. */
const kubernetesSource = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('file'),
    /** Folders relative to the config file: a cluster's (named by the folder), or one holding a folder per cluster. */
    paths: z.array(nonEmpty).min(1),
  }),
  z.strictObject({
    mode: z.literal('live'),
    /** Kubeconfig file, relative to the config file; default $KUBECONFIG, else ~/.kube/config. */
    kubeconfig: nonEmpty.optional(),
    /** Contexts to collect, one cluster each; default every context of the kubeconfig. */
    contexts: z.array(nonEmpty).default([]),
    /** Cluster name recorded per context (the name tenants[].clusters and mapping.shared_clusters use); default the context's name. */
    cluster_names: z.record(nonEmpty, nonEmpty).default({}),
    /** Collect the cluster the run is in (service account token, KUBERNETES_SERVICE_HOST) instead of a kubeconfig. */
    in_cluster: z.strictObject({ cluster: nonEmpty }).optional(),
    /** Objects per list request (`limit`); `continue` fetches the rest. */
    page_size: z.int().min(1).max(5000).default(500),
    /** How long one list request may take before its cluster is reported incomplete. */
    request_timeout_seconds: z.number().positive().max(600).default(30),
    /** How long one cluster may take in all; then it is partial, or failed when nothing was listed. */
    cluster_deadline_seconds: z.number().positive().max(86_400).default(600),
    /** Clusters collected at once (each lists its kinds one after another). */
    concurrency: z.int().min(1).max(32).default(4),
  }),
]);

const https = z.url({ protocol: /^https$/, error: 'expected an https:// URL' });

/** A sovereign cloud by name, or its endpoints spelt out (Azure Stack, a private cloud, a test server). */
const cloud = z.union(
  [
    z.enum(['public', 'usgov', 'china']),
    z.strictObject({
      arm_endpoint: https,
      /** Microsoft Entra authority host, e.g. https://login.microsoftonline.com. */
      authority_host: https,
      /** Log Analytics query endpoint (without /v1), for sources.monitor's container usage. */
      log_analytics_endpoint: https.optional(),
      /** Azure Monitor metrics endpoint every region is asked at, for sources.monitor's VM metrics. */
      metrics_endpoint: https.optional(),
      /**
       * Whether a key vault's token challenge must name a parent domain of the vault's host, as Azure's do. false only
       * where vaults are reached under another name (a proxy, a test server).
       */
      verify_key_vault_challenge: z.boolean().optional(),
    }),
  ],
  { error: 'expected public, usgov, china or { arm_endpoint, authority_host }' },
);

const credential = z.discriminatedUnion('kind', [
  /** DefaultAzureCredential: workload identity, managed identity, environment, Azure CLI, ... */
  z.strictObject({ kind: z.literal('default') }),
  z.strictObject({
    kind: z.literal('client_secret'),
    tenant_id: z.uuid(),
    client_id: z.uuid(),
    /** Name of the environment variable holding the secret: a secret never sits in the config file. */
    secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'),
  }),
]);

const azure = z.strictObject({
  cloud: cloud.default('public'),
  credential: credential.default({ kind: 'default' }),
  /** The subscriptions to collect, or `{ discover: true }` for every one the credential can read. */
  subscriptions: z.union([z.array(z.uuid()).min(1), z.strictObject({ discover: z.literal(true) })], {
    error: 'expected a list of subscription ids or { discover: true }',
  }),
  /** Requests in flight at once per source, and sources collected at once. */
  concurrency: z.int().min(1).max(32).default(4),
  /** How long one page may take, its retries and waits included, before its scopes are reported incomplete. */
  deadline_seconds: z.number().positive().max(3600).default(120),
  /**
   * How long the run's collection may take in all, the credential check included: then what is still outstanding
   * stops, its scopes are partial or failed ("run deadline reached"), and the run reports what it has. No limit when absent.
   */
  run_deadline_seconds: z.number().positive().max(86_400).optional(),
});

export const waiverSchema = z.strictObject({
  id: nonEmpty,
  check: nonEmpty,
  /** Glob over resource ids (or plan addresses), case-insensitive; * matches any run of characters. */
  resource: nonEmpty,
  tenant: id.optional(),
  reason: nonEmpty,
  approver: nonEmpty,
  ticket: nonEmpty,
  expires: z.iso.date(),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

const alertRoute = z.strictObject({
  tenant: z.union([id, z.literal('*')]),
  /** teams: Adaptive Card to a Teams workflow; slack: Block Kit to an incoming webhook; webhook: JSON signed with HMAC-SHA256. */
  kind: z.enum(['teams', 'slack', 'webhook', 'email']),
  /** Name of the environment variable holding the webhook URL: URLs carry tokens and stay out of config. */
  url_env: envName.optional(),
  /** Name of the environment variable holding the HMAC key a `webhook` route signs with. */
  secret_env: envName.optional(),
  to: z.array(z.email()).optional(),
  min_severity: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
});

const smtp = z.strictObject({
  host: nonEmpty,
  port: z.int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS, which is required unless allow_plaintext. */
  secure: z.boolean().default(false),
  allow_plaintext: z.boolean().default(false),
  from: z.email(),
  username_env: envName.optional(),
  password_env: envName.optional(),
  /** PEM file of the CA the server's certificate chains to, when not a public one. */
  ca_file: nonEmpty.optional(),
});

const alertRetry = z.strictObject({
  /** Tries per message, the first included. */
  attempts: z.int().min(1).max(10).default(4),
  /** Wait before the second try; doubled for each further one. */
  backoff_ms: z.int().min(0).max(60_000).default(2000),
  timeout_seconds: z.number().positive().max(120).default(10),
});

const signer = z.union(
  [
    z.strictObject({
      algorithm: z.enum(['ES256', 'PS256', 'EdDSA']),
      /** PEM private key (PKCS#8, PKCS#1 or SEC1; a certificate chain may follow it) or a PKCS#12 bundle (.p12, .pfx). */
      key_file: nonEmpty,
      /** PEM certificate chain, leaf first; optional with PKCS#12 or when the key file holds it. */
      certificate_file: nonEmpty.optional(),
      /** Name of the environment variable holding the key's or bundle's password. */
      password_env: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
        .optional(),
    }),
    /**
     * A key in Azure Key Vault (or Managed HSM): only digests travel to the vault, which signs them; the private key
     * never leaves it. The credential is the azure section's, or DefaultAzureCredential without one.
     */
    z.strictObject({
      algorithm: z.enum(['ES256', 'PS256']),
      key_vault: z.strictObject({
        /** e.g. https://<vault>.vault.azure.net */
        vault_url: z.url({ protocol: /^https$/, error: 'expected the vault URL, https://<vault>.vault.azure.net' }),
        /** The key's name. */
        key: z.string().regex(/^[0-9A-Za-z-]{1,127}$/, 'expected a Key Vault key name: letters, digits and hyphens'),
        /** A version pins the key; without one, the key's current version when the run starts (recorded in each pack). */
        version: z
          .string()
          .regex(/^[0-9a-f]{32}$/i, 'expected a 32-character key version')
          .optional(),
        /**
         * The vault's token challenge must name a parent domain of the vault's host (vault.azure.net for
         * <vault>.vault.azure.net). false only for a vault reached under another name: Azure Stack Hub, a proxy.
         */
        verify_challenge_resource: z.boolean().default(true),
      }),
      /** PEM certificate chain of the vault key, leaf first. */
      certificate_file: nonEmpty,
    }),
    /** A throwaway key and self-signed certificate made beside the store on first use; reports say DEMO. */
    z.strictObject({ demo: z.literal(true) }),
  ],
  {
    error:
      'expected { algorithm, key_file, certificate_file?, password_env? }, { algorithm, key_vault: { vault_url, key, version? }, certificate_file } or { demo: true }',
  },
);

/** A container name as Azure allows it: 3-63 lower-case letters, digits and single hyphens. */
const containerName = z
  .string()
  .regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a container name: 3-63 lower-case letters, digits, single hyphens');

/** A storage account's blob endpoint, e.g. https://<account>.blob.core.windows.net; plain http only to localhost. */
const blobAccountUrl = z.url().refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}, 'expected an https URL (plain http only to localhost)');

const blobCredential = z
  .discriminatedUnion('kind', [
    /** The azure section's credential (workload identity in the CronJob); DefaultAzureCredential without one. */
    z.strictObject({ kind: z.literal('azure') }),
    z.strictObject({ kind: z.literal('account_key'), account_name: nonEmpty, key_env: envName }),
  ])
  .default({ kind: 'azure' });

/** A key layout: placeholders {tenant} and {env}, `*` within one path segment, e.g. customers/{tenant}/{env}/terraform.tfstate. */
const keyPattern = z
  .string()
  // Both placeholders and no other: one rule, so one message, and the published schema says the same.
  .regex(/^(?=.*\{tenant\})(?=.*\{env\})[^{}]*(\{(tenant|env)\}[^{}]*)+$/, 'expected a key pattern naming {tenant} and {env}');

const terraformKeys = z.array(keyPattern).min(1).default(['customers/{tenant}/{env}/terraform.tfstate']);

/** Terraform states and saved plans (JSON), one per tenant and environment, from a folder or Blob containers. */
const terraformSource = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('folder'),
    /** Relative to the config file; keys are paths below it. */
    path: nonEmpty,
    keys: terraformKeys,
    /** The storage account the folder was copied from, for the state-backend check. */
    account: nonEmpty.optional(),
  }),
  z.strictObject({
    mode: z.literal('blob'),
    account_url: blobAccountUrl,
    /** One container per compliance zone. */
    containers: z.array(containerName).min(1),
    keys: terraformKeys,
    credential: blobCredential,
    /** Largest file read; a larger one makes its scope failed. */
    max_mb: z.number().positive().max(2048).default(256),
  }),
]);

const blobOutput = z.strictObject({
  /** The storage account's blob endpoint, e.g. https://<account>.blob.core.windows.net; plain http only to localhost. */
  account_url: blobAccountUrl,
  container: containerName,
  /** Put before `<tenant>/<run-id>/<file>`, e.g. `compline/`. */
  prefix: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'expected empty or folder names each ending in /')
    .default(''),
  credential: blobCredential,
  /** Hours the read-only links listed for auditors stay valid; 0 lists none (a link is a bearer capability). */
  sas_hours: z.number().min(0).max(168).default(0),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  tenants: z.array(tenant).min(1),
  mapping: mapping.default({
    tenant_tag: 'CustomerID',
    resource_groups: ['rg-{tenant}-{env}'],
    shared_clusters: [],
    namespaces: ['gc-{tenant}-*'],
    namespace_label: 'customer',
  }),
  /** How to reach Azure; used by live sources. */
  azure: azure.optional(),
  sources: z
    .strictObject({
      resource_graph: source.optional(),
      policy: policySource.optional(),
      terraform: terraformSource.optional(),
      /** Resource Graph `resourcechanges`: result pages from files, or live through the `azure` connection. */
      resource_changes: source.optional(),
      kubernetes: kubernetesSource.optional(),
      /** Cost: FOCUS or EA/MCA exports, or the Cost Management Query API. */
      cost: costSource.optional(),
      /** Utilisation: VM metrics and container usage. */
      monitor: monitorSource.optional(),
    })
    .default({}),
  /** Cost allocation between tenants, FinOps rule parameters, anomaly and budget signals. */
  finops: finopsConfig,
  waivers: z.array(waiverSchema).default([]),
  /** Per-check parameter overrides, e.g. { kv-soft-delete-retention: { min_days: 120 } }. */
  check_params: z.record(nonEmpty, z.record(nonEmpty, z.union([z.number(), z.string(), z.boolean()]))).default({}),
  alerts: z
    .strictObject({
      routes: z.array(alertRoute).default([]),
      smtp: smtp.optional(),
      retry: alertRetry.default({ attempts: 4, backoff_ms: 2000, timeout_seconds: 10 }),
    })
    .default({ routes: [], retry: { attempts: 4, backoff_ms: 2000, timeout_seconds: 10 } }),
  signer: signer.optional(),
  output: z
    .strictObject({
      dir: nonEmpty.default('out'),
      store: nonEmpty.default('.compline/compline.duckdb'),
      /** Also publish every run's reports and packs to an Azure Blob container, one prefix per tenant. */
      blob: blobOutput.optional(),
    })
    .default({ dir: 'out', store: '.compline/compline.duckdb' }),
});

export type Config = z.infer<typeof configSchema>;
export type Tenant = Config['tenants'][number];
export type Waiver = Config['waivers'][number];

export interface LoadedConfig {
  config: Config;
  /** Folder of the config file; relative paths in it resolve against this. */
  baseDir: string;
  sha256: string;
}

/** `tenants[2].tier` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return issue.message;
}

/** The parts of zod's schema definitions walked below: wrappers, objects, arrays, records, unions. */
interface SchemaNode {
  def: {
    type: string;
    innerType?: SchemaNode;
    shape?: Record<string, SchemaNode>;
    element?: SchemaNode;
    valueType?: SchemaNode;
    options?: SchemaNode[];
    discriminator?: string;
    values?: unknown[];
  };
}

const valueAt = (value: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined),
    value,
  );

/** The schema under defaults and optionals; for a union, the branch the value's discriminator picks (if it does). */
function unwrap(node: SchemaNode | undefined, value: unknown): SchemaNode | undefined {
  while (node?.def.innerType) node = node.def.innerType;
  const { discriminator, options } = node?.def ?? {};
  if (!options || !discriminator) return node;
  const tag = isRecord(value) ? value[discriminator] : undefined;
  return options.find((o) => unwrap(o, undefined)?.def.shape?.[discriminator]?.def.values?.includes(tag)) ?? node;
}

/** The schema that applies at `path` of the config as written. */
function schemaAt(root: SchemaNode, raw: unknown, path: readonly PropertyKey[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  path.forEach((key, i) => {
    const def = unwrap(node, valueAt(raw, path.slice(0, i)))?.def;
    node = def?.shape ? def.shape[String(key)] : (def?.element ?? def?.valueType);
  });
  return node;
}

/** The keys an object may have at `path`; for a union its discriminator does not settle, those of every branch. */
function keysAt(root: SchemaNode, raw: unknown, path: readonly PropertyKey[]): string[] {
  const node = unwrap(schemaAt(root, raw, path), valueAt(raw, path));
  const branches = node?.def.options?.map((o) => unwrap(o, undefined)) ?? [node];
  return [...new Set(branches.flatMap((b) => Object.keys(b?.def.shape ?? {})))];
}

/** `tenats` + `[0].tier` → `tenats[0].tier`; `(root)` stands for the block itself. */
const under = (prefix: string, line: string) =>
  line.startsWith('(root)') ? `${prefix}${line.slice('(root)'.length)}` : `${prefix}${line.startsWith('[') ? '' : '.'}${line}`;

/**
 * The schema's problems as `<path>: <message>` lines. An unknown key close to a known key that is absent is taken
 * for a misspelling of it: the line says so, its block is checked as that key's (a typo hides no problem inside
 * it), and the known key is not reported missing as well.
 */
function schemaProblems(root: SchemaNode, raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  const misspelt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const here = valueAt(raw, issue.path) as Record<string, unknown>;
    const known = keysAt(root, raw, issue.path);
    for (const key of issue.keys) {
      lines.push(`${formatPath(issue.path)}: unknown key ${key}${didYouMean(key, known)}`);
      const meant = closest(key, known);
      if (meant === undefined || meant in here) continue;
      misspelt.add(formatPath([...issue.path, meant]));
      const block = schemaAt(root, raw, [...issue.path, meant]);
      const inner = (block as unknown as z.ZodType | undefined)?.safeParse(here[key]);
      if (!block || !inner || inner.success) continue;
      const prefix = formatPath([...issue.path, key]);
      lines.push(...schemaProblems(block, here[key], inner.error.issues).map((line) => under(prefix, line)));
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const path = formatPath(issue.path);
    if (valueAt(raw, issue.path) !== undefined) lines.push(`${path}: ${issueMessage(issue)}`);
    else if (!misspelt.has(path)) lines.push(`${path}: required`);
  }
  return lines;
}

/** Cross-field rules zod cannot express alone, read from the config as written so they run beside the schema's. */
function crossCheck(raw: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(raw)) return problems;
  const records = (list: unknown) =>
    Array.isArray(list) ? list.flatMap((x: unknown, i) => (isRecord(x) ? [[i, x] as const] : [])) : [];
  const tenantIds = new Set<string>();
  for (const [i, t] of records(raw.tenants)) {
    if (typeof t.id !== 'string') continue;
    if (tenantIds.has(t.id)) problems.push(`tenants[${i}].id: duplicate tenant id ${t.id}`);
    tenantIds.add(t.id);
  }
  // Without a tenants list (missing, misspelt) every reference would be reported; its absence is reported once.
  const noTenant = (where: string, id: unknown) =>
    Array.isArray(raw.tenants) && typeof id === 'string' && id !== '*' && !tenantIds.has(id)
      ? [`${where}: no tenant ${id}${didYouMean(id, tenantIds)}`]
      : [];
  const waiverIds = new Set<unknown>();
  for (const [i, w] of records(raw.waivers)) {
    if (w.id !== undefined && waiverIds.has(w.id)) problems.push(`waivers[${i}].id: duplicate waiver id ${String(w.id)}`);
    waiverIds.add(w.id);
    problems.push(...noTenant(`waivers[${i}].tenant`, w.tenant));
  }
  for (const [i, r] of records(isRecord(raw.alerts) ? raw.alerts.routes : undefined)) {
    problems.push(...noTenant(`alerts.routes[${i}].tenant`, r.tenant));
    if (r.kind !== 'email' && typeof r.kind === 'string' && !r.url_env)
      problems.push(`alerts.routes[${i}].url_env: required for a ${r.kind} route`);
    if (r.kind === 'webhook' && !r.secret_env)
      problems.push(`alerts.routes[${i}].secret_env: required for a webhook route (its messages are signed)`);
    if (r.kind === 'email' && !(Array.isArray(r.to) && r.to.length))
      problems.push(`alerts.routes[${i}].to: required for an email route`);
    if (r.kind === 'email' && isRecord(raw.alerts) && raw.alerts.smtp === undefined)
      problems.push(`alerts.smtp: required for an email route (alerts.routes[${i}])`);
  }
  for (const name of ['resource_graph', 'policy', 'resource_changes', 'monitor', 'cost']) {
    const src = isRecord(raw.sources) ? raw.sources[name] : undefined;
    if (isRecord(src) && src.mode === 'live' && raw.azure === undefined)
      problems.push(`azure: required for sources.${name}.mode: live`);
  }
  // A cloud spelt out names the monitor's endpoints itself; a named cloud has its own.
  const monitor = isRecord(raw.sources) ? raw.sources.monitor : undefined;
  const cloud = isRecord(raw.azure) ? raw.azure.cloud : undefined;
  if (isRecord(monitor) && monitor.mode === 'live' && isRecord(cloud)) {
    if (cloud.metrics_endpoint === undefined)
      problems.push('azure.cloud.metrics_endpoint: required for sources.monitor.mode: live');
    if (Array.isArray(monitor.workspaces) && monitor.workspaces.length && cloud.log_analytics_endpoint === undefined)
      problems.push('azure.cloud.log_analytics_endpoint: required for sources.monitor.workspaces');
  }
  const finops = isRecord(raw.finops) ? raw.finops : {};
  if (Array.isArray(raw.tenants))
    problems.push(...allocationProblems(finops.allocation, tenantIds), ...signalsProblems(finops.signals, tenantIds));
  const k8s = isRecord(raw.sources) ? raw.sources.kubernetes : undefined;
  if (
    isRecord(k8s) &&
    k8s.mode === 'live' &&
    k8s.in_cluster !== undefined &&
    (k8s.kubeconfig !== undefined || k8s.contexts !== undefined)
  )
    problems.push('sources.kubernetes.in_cluster: use either in_cluster or kubeconfig / contexts, not both');
  return problems;
}

export class ConfigError extends UsageError {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Parses and validates config text; throws ConfigError listing every problem, one per line, from one reading:
 * the schema's, the cross-field rules' and, given the catalogue, the checks and parameters it does not have.
 */
export function parseConfig(text: string, label: string, catalogue?: Catalogue): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${label}:${pos ? `${pos.line}:${pos.col}` : ''} invalid YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const raw: unknown = doc.toJS();
  const result = configSchema.safeParse(raw);
  const problems = [
    ...(result.success ? [] : schemaProblems(configSchema as unknown as SchemaNode, raw, result.error.issues)),
    ...crossCheck(raw),
    ...finopsRulesProblems(raw),
    ...(catalogue ? catalogueProblems(raw, catalogue) : []),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems.map((p) => `${label}: ${p}`));
  return result.data;
}

const MAX_CONFIG_BYTES = 4 * 1024 ** 2;

/** Reads and validates a config, reporting every problem in it (the catalogue's included) at once. */
export async function loadConfig(path: string, catalogue?: Catalogue): Promise<LoadedConfig> {
  let text: string;
  try {
    // A config is a few kilobytes; refuse anything that cannot be one before reading it.
    const st = await stat(path);
    if (st.isDirectory()) throw new UsageError(`${path}: is a folder, not a config file`);
    if (st.size > MAX_CONFIG_BYTES)
      throw new UsageError(`${path}: ${st.size} bytes is too large for a config file (limit 4 MiB)`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'no such config file' : `cannot read config (${code ?? 'error'})`}`);
  }
  const { createHash } = await import('node:crypto');
  return {
    config: parseConfig(text, path, catalogue ?? (await loadCatalogue())),
    baseDir: dirname(resolve(path)),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input' }),
    title: 'compline.yaml',
    description: 'Compline configuration: tenants, estate mapping, Azure connection, sources, waivers, alerts, signer, output.',
  };
}
