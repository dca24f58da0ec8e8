// compline.yaml: one zod schema validates the file and generates compline.schema.json for editors.
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';

export const FRAMEWORKS = ['pci-dss-4.0.1', 'sox-itgc', 'gdpr'] as const;

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
const liveSource = z.strictObject({
  mode: z.literal('live'),
  subscriptions: z.array(z.uuid()).default([]),
});
const source = z.discriminatedUnion('mode', [fileSource, liveSource]);

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

const alertRoute = z.strictObject({
  tenant: z.union([id, z.literal('*')]),
  kind: z.enum(['webhook', 'email']),
  /** Name of the environment variable holding the webhook URL: URLs carry tokens and stay out of config. */
  url_env: nonEmpty.optional(),
  to: z.array(z.email()).optional(),
  min_severity: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
});

const signer = z.strictObject({
  algorithm: z.enum(['ES256', 'PS256', 'EdDSA']),
  key_file: nonEmpty,
  certificate_file: nonEmpty.optional(),
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
  sources: z
    .strictObject({
      resource_graph: source.optional(),
    })
    .default({}),
  waivers: z.array(waiverSchema).default([]),
  /** Per-check parameter overrides, e.g. { kv-soft-delete-retention: { min_days: 120 } }. */
  check_params: z.record(nonEmpty, z.record(nonEmpty, z.union([z.number(), z.string(), z.boolean()]))).default({}),
  alerts: z.strictObject({ routes: z.array(alertRoute).default([]) }).default({ routes: [] }),
  signer: signer.optional(),
  output: z
    .strictObject({
      dir: nonEmpty.default('out'),
      store: nonEmpty.default('.compline/compline.duckdb'),
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
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return issue.message;
}

/** Every problem as one line: `<file>: <path>: <message>`. */
export function describeIssues(label: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${label}: ${formatPath(i.path)}: ${issueMessage(i)}`);
}

/** Cross-field rules zod cannot express alone. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  config.tenants.forEach((t, i) => {
    if (seen.has(t.id)) problems.push(`tenants[${i}].id: duplicate tenant id ${t.id}`);
    seen.add(t.id);
  });
  const waiverIds = new Set<string>();
  config.waivers.forEach((w, i) => {
    if (waiverIds.has(w.id)) problems.push(`waivers[${i}].id: duplicate waiver id ${w.id}`);
    waiverIds.add(w.id);
    if (w.tenant && !seen.has(w.tenant)) problems.push(`waivers[${i}].tenant: no tenant ${w.tenant}`);
  });
  config.alerts.routes.forEach((r, i) => {
    if (r.tenant !== '*' && !seen.has(r.tenant)) problems.push(`alerts.routes[${i}].tenant: no tenant ${r.tenant}`);
    if (r.kind === 'webhook' && !r.url_env) problems.push(`alerts.routes[${i}].url_env: required for a webhook route`);
    if (r.kind === 'email' && !r.to?.length) problems.push(`alerts.routes[${i}].to: required for an email route`);
  });
  return problems;
}

export class ConfigError extends UsageError {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Parses and validates config text; throws ConfigError listing every problem, one per line. */
export function parseConfig(text: string, label: string): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${label}:${pos ? `${pos.line}:${pos.col}` : ''} invalid YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const result = configSchema.safeParse(doc.toJS());
  if (!result.success) throw new ConfigError(describeIssues(label, result.error));
  const cross = crossCheck(result.data).map((p) => `${label}: ${p}`);
  if (cross.length > 0) throw new ConfigError(cross);
  return result.data;
}

const MAX_CONFIG_BYTES = 4 * 1024 ** 2;

export async function loadConfig(path: string): Promise<LoadedConfig> {
  let text: string;
  try {
    // A config is a few kilobytes; refuse anything that cannot be one before reading it.
    const { size } = await stat(path);
    if (size > MAX_CONFIG_BYTES) throw new UsageError(`${path}: ${size} bytes is too large for a config file (limit 4 MiB)`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read config (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { createHash } = await import('node:crypto');
  return {
    config: parseConfig(text, path),
    baseDir: dirname(resolve(path)),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input' }),
    title: 'compline.yaml',
    description: 'Compline configuration: tenants, estate mapping, sources, waivers, alerts, signer, output.',
  };
}
