// Every secret-bearing attribute rule of the terraform-plan collector, exercised through the whole gate: a
// unique value planted under each name, suffix and type rule (on mapped and unmapped azurerm types, at the top
// level and inside blocks, and where azurerm really has the attribute) must reach no output of any format, and
// `plan-no-plaintext-secrets` must name the attribute. The cases come from the lists themselves.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_AZURERM_TYPES } from '../src/collectors/terraform-plan/index.js';
import { SECRET_NAMES, SECRET_SUFFIXES, TYPE_SECRET_NAMES } from '../src/collectors/terraform-plan/secret-names.js';
import { compline } from './support/cli.js';
import { buildPlan } from './support/plan-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'compline-secrets-'));
const FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
/** Every planted value starts with this; it appears nowhere else. */
const MARK = 'S3CR3T-';
/** Planted values in a text, in any case (checks lower-case what they compare, e.g. tag values). */
const leaks = (text: string): string[] => text.match(/S3CR3T-[A-Za-z0-9_.-]*/gi) ?? [];

interface GateRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each format's --output file. */
  files: Record<string, string>;
}
/** One gate run renders every format: json on stdout, all five through --output (the renderers stdout uses). */
function gateEveryFormat(planPath: string, prefix: string): GateRun {
  const path = (f: string) => join(dir, `${prefix}.${f}`);
  const r = compline(['gate', planPath, '--format', 'json', ...FORMATS.flatMap((f) => ['--output', `${f}=${path(f)}`])]);
  return { ...r, files: Object.fromEntries(FORMATS.map((f) => [f, readFileSync(path(f), 'utf8')])) };
}

// The rules as they must stay: deleting an entry from the collector fails the first tests below.
const EXPECTED_NAMES = [
  'password',
  'admin_password',
  'administrator_login_password',
  'administrator_login_password_wo',
  'administrator_password',
  'client_secret',
  'client_key',
  'client_certificate',
  'client_certificate_password',
  'certificate_password',
  'connection_string',
  'connection_strings',
  'custom_data',
  'user_data',
  'kube_config',
  'kube_config_raw',
  'kube_admin_config',
  'kube_admin_config_raw',
  'primary_key',
  'secondary_key',
  'instrumentation_key',
  'private_key',
  'private_key_pem',
  'sas',
  'sas_token',
  'sas_url',
  'token',
  'secret',
  'value_wo',
  'shared_key',
  'protected_settings',
  'secure_environment_variables',
  'storage_key',
  'account_key',
  'pfx_blob',
  'api_key',
];
const EXPECTED_SUFFIXES = [
  '_password',
  '_secret',
  '_connection_string',
  '_connection_strings',
  '_access_key',
  '_shared_key',
  '_sas_token',
  '_sas_url',
  '_private_key',
  '_password_wo',
  '_primary_key',
  '_secondary_key',
  '_readonly_key',
  '_account_key',
  '_sas_key',
  '_connection_string_0',
  '_connection_string_1',
];
const EXPECTED_TYPE_NAMES: Record<string, string[]> = {
  azurerm_key_vault_secret: ['value'],
  azurerm_key_vault_certificate: ['contents'],
};

type Path = (string | number)[];
interface Place {
  /** The rule entry this place exercises: `name password`, `suffix _secret`, `type azurerm_key_vault_secret value`. */
  entry: string;
  type: string;
  /** Where the secret attribute sits in the resource's values. */
  path: Path;
  /** The planted value as the attribute holds it (a block's secret inside its list), given the marker string. */
  holds?: (v: string) => unknown;
  /** Other values of the resource. */
  base?: Record<string, unknown>;
  /** The provider computes it (no configuration writes it): redacted, but not a finding. */
  computed?: boolean;
}

const RG = { location: 'eastus', resource_group_name: 'rg-secrets' };
const TAGS = { CustomerID: 'bank_alpha', Environment: 'prod', ManagedBy: 'terraform', 'Compliance-PCI': 'true' };
const KV_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv';
const SQL_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Sql/servers/sql';
const vm = { name: 'vm', ...RG, tags: TAGS, size: 'Standard_D2s_v5', admin_username: 'azureuser' };
const aks = { name: 'aks', ...RG, tags: TAGS, dns_prefix: 'aks', kubernetes_version: '1.30' };
const kubeConfig = (k: string) => (v: string) => [{ host: 'https://aks', username: 'u', [k]: v }];

/** Where azurerm really has each attribute (names, then one attribute per suffix, then type rules). */
const REAL: Place[] = [
  {
    entry: 'name password',
    type: 'azurerm_container_group',
    path: ['image_registry_credential', 0, 'password'],
    base: { name: 'cg', ...RG, os_type: 'Linux', image_registry_credential: [{ server: 'acr.azurecr.io', username: 'u' }] },
  },
  { entry: 'name admin_password', type: 'azurerm_linux_virtual_machine', path: ['admin_password'], base: vm },
  {
    entry: 'name admin_password',
    type: 'azurerm_virtual_machine',
    path: ['os_profile', 0, 'admin_password'],
    base: { name: 'vm', ...RG, vm_size: 'Standard_D2s_v5', os_profile: [{ computer_name: 'vm', admin_username: 'u' }] },
  },
  {
    entry: 'name admin_password',
    type: 'azurerm_kubernetes_cluster',
    path: ['windows_profile', 0, 'admin_password'],
    base: { ...aks, windows_profile: [{ admin_username: 'u' }] },
  },
  {
    entry: 'name administrator_login_password',
    type: 'azurerm_mssql_server',
    path: ['administrator_login_password'],
    base: { name: 'sql', ...RG, version: '12.0', administrator_login: 'sqladmin', minimum_tls_version: '1.2' },
  },
  {
    entry: 'name administrator_login_password',
    type: 'azurerm_mssql_database',
    path: ['import', 0, 'administrator_login_password'],
    base: {
      name: 'db',
      server_id: SQL_ID,
      import: [
        {
          storage_uri: 'https://st.blob.core.windows.net/b/db.bacpac',
          storage_key_type: 'StorageAccessKey',
          administrator_login: 'sqladmin',
          authentication_type: 'Sql',
        },
      ],
    },
  },
  {
    entry: 'name administrator_login_password_wo',
    type: 'azurerm_mssql_server',
    path: ['administrator_login_password_wo'],
    base: { name: 'sql', ...RG, version: '12.0', administrator_login: 'sqladmin', minimum_tls_version: '1.2' },
  },
  {
    entry: 'name administrator_password',
    type: 'azurerm_postgresql_flexible_server',
    path: ['administrator_password'],
    base: { name: 'pg', ...RG, version: '16', administrator_login: 'pgadmin' },
  },
  {
    entry: 'name client_secret',
    type: 'azurerm_kubernetes_cluster',
    path: ['service_principal', 0, 'client_secret'],
    base: { ...aks, service_principal: [{ client_id: '00000000-0000-0000-0000-000000000001' }] },
  },
  {
    entry: 'name client_key',
    type: 'azurerm_kubernetes_cluster',
    path: ['kube_config'],
    holds: kubeConfig('client_key'),
    base: aks,
    computed: true,
  },
  {
    entry: 'name client_certificate',
    type: 'azurerm_kubernetes_cluster',
    path: ['kube_admin_config'],
    holds: kubeConfig('client_certificate'),
    base: aks,
    computed: true,
  },
  {
    entry: 'name certificate_password',
    type: 'azurerm_api_management',
    path: ['certificate', 0, 'certificate_password'],
    base: {
      name: 'apim',
      ...RG,
      publisher_name: 'p',
      publisher_email: 'p@example.com',
      sku_name: 'Developer_1',
      certificate: [{ encoded_certificate: 'MIIC', store_name: 'Root' }],
    },
  },
  {
    entry: 'name connection_string',
    type: 'azurerm_linux_web_app',
    path: ['connection_string'],
    holds: (v) => [{ name: 'db', type: 'SQLAzure', value: v }],
    base: { name: 'web', ...RG, service_plan_id: 'x' },
  },
  {
    entry: 'name connection_strings',
    type: 'azurerm_cosmosdb_account',
    path: ['connection_strings'],
    holds: (v) => [v],
    base: { name: 'cosmos', ...RG, offer_type: 'Standard' },
    computed: true,
  },
  { entry: 'name custom_data', type: 'azurerm_linux_virtual_machine', path: ['custom_data'], base: vm },
  {
    entry: 'name custom_data',
    type: 'azurerm_virtual_machine',
    path: ['os_profile', 0, 'custom_data'],
    base: { name: 'vm', ...RG, vm_size: 'Standard_D2s_v5', os_profile: [{ computer_name: 'vm', admin_username: 'u' }] },
  },
  { entry: 'name user_data', type: 'azurerm_linux_virtual_machine', path: ['user_data'], base: vm },
  { entry: 'name user_data', type: 'azurerm_windows_virtual_machine', path: ['user_data'], base: vm },
  {
    entry: 'name kube_config',
    type: 'azurerm_kubernetes_cluster',
    path: ['kube_config'],
    holds: kubeConfig('password'),
    base: aks,
    computed: true,
  },
  { entry: 'name kube_config_raw', type: 'azurerm_kubernetes_cluster', path: ['kube_config_raw'], base: aks, computed: true },
  {
    entry: 'name kube_admin_config',
    type: 'azurerm_kubernetes_cluster',
    path: ['kube_admin_config'],
    holds: kubeConfig('client_key'),
    base: aks,
    computed: true,
  },
  {
    entry: 'name kube_admin_config_raw',
    type: 'azurerm_kubernetes_cluster',
    path: ['kube_admin_config_raw'],
    base: aks,
    computed: true,
  },
  {
    entry: 'name primary_key',
    type: 'azurerm_cosmosdb_account',
    path: ['primary_key'],
    base: { name: 'cosmos', ...RG, offer_type: 'Standard' },
    computed: true,
  },
  {
    entry: 'name secondary_key',
    type: 'azurerm_cosmosdb_account',
    path: ['secondary_key'],
    base: { name: 'cosmos', ...RG, offer_type: 'Standard' },
    computed: true,
  },
  {
    entry: 'name instrumentation_key',
    type: 'azurerm_application_insights',
    path: ['instrumentation_key'],
    base: { name: 'ai', ...RG, application_type: 'web' },
    computed: true,
  },
  { entry: 'name token', type: 'azurerm_source_control_token', path: ['token'], base: { type: 'GitHub' } },
  {
    entry: 'name secret',
    type: 'azurerm_container_app',
    path: ['secret'],
    holds: (v) => [{ name: 'db', value: v }],
    base: { name: 'app', resource_group_name: 'rg', revision_mode: 'Single' },
  },
  {
    entry: 'name value_wo',
    type: 'azurerm_key_vault_secret',
    path: ['value_wo'],
    base: { name: 'db-password', key_vault_id: KV_ID, value_wo_version: 1 },
  },
  {
    entry: 'suffix _password',
    type: 'azurerm_linux_web_app',
    path: ['site_config', 0, 'application_stack', 0, 'docker_registry_password'],
    base: {
      name: 'web',
      ...RG,
      service_plan_id: 'x',
      site_config: [{ application_stack: [{ docker_image_name: 'app:1', docker_registry_username: 'u' }] }],
    },
  },
  {
    entry: 'suffix _secret',
    type: 'azurerm_kubernetes_cluster',
    path: ['azure_active_directory_role_based_access_control', 0, 'server_app_secret'],
    base: {
      ...aks,
      azure_active_directory_role_based_access_control: [{ managed: false, server_app_id: 'x', client_app_id: 'y' }],
    },
  },
  {
    entry: 'suffix _connection_string',
    type: 'azurerm_redis_cache',
    path: ['redis_configuration', 0, 'rdb_storage_connection_string'],
    base: {
      name: 'redis',
      ...RG,
      sku_name: 'Premium',
      family: 'P',
      capacity: 1,
      minimum_tls_version: '1.2',
      redis_configuration: [{ rdb_backup_enabled: true }],
    },
  },
  {
    entry: 'suffix _connection_string',
    type: 'azurerm_storage_account',
    path: ['primary_connection_string'],
    base: { name: 'st', ...RG, account_tier: 'Standard', account_replication_type: 'LRS' },
    computed: true,
  },
  {
    entry: 'suffix _access_key',
    type: 'azurerm_mssql_server_extended_auditing_policy',
    path: ['storage_account_access_key'],
    base: { server_id: SQL_ID, storage_endpoint: 'https://st.blob.core.windows.net/', retention_in_days: 90 },
  },
  {
    entry: 'suffix _access_key',
    type: 'azurerm_redis_cache',
    path: ['primary_access_key'],
    base: { name: 'redis', ...RG, sku_name: 'Standard', family: 'C', capacity: 1 },
    computed: true,
  },
  {
    entry: 'suffix _shared_key',
    type: 'azurerm_log_analytics_workspace',
    path: ['primary_shared_key'],
    base: { name: 'law', ...RG, sku: 'PerGB2018', retention_in_days: 90 },
    computed: true,
  },
  {
    entry: 'suffix _password_wo',
    type: 'azurerm_postgresql_flexible_server',
    path: ['administrator_password_wo'],
    base: { name: 'pg', ...RG, version: '16', administrator_login: 'pgadmin', administrator_password_wo_version: 1 },
  },
  // Secrets the lists missed once: each is a real azurerm attribute.
  {
    entry: 'name shared_key',
    type: 'azurerm_virtual_network_gateway_connection',
    path: ['shared_key'],
    base: { name: 'vpn', ...RG, type: 'IPsec', virtual_network_gateway_id: 'x', local_network_gateway_id: 'y' },
  },
  {
    entry: 'name protected_settings',
    type: 'azurerm_virtual_machine_extension',
    path: ['protected_settings'],
    base: {
      name: 'ext',
      virtual_machine_id: 'x',
      publisher: 'Microsoft.Azure.Extensions',
      type: 'CustomScript',
      type_handler_version: '2.1',
    },
  },
  {
    entry: 'name secure_environment_variables',
    type: 'azurerm_container_group',
    path: ['container', 0, 'secure_environment_variables'],
    holds: (v) => ({ DB_PASSWORD: v }),
    base: { name: 'cg', ...RG, os_type: 'Linux', container: [{ name: 'app', image: 'nginx', cpu: 1, memory: 1 }] },
  },
  {
    entry: 'name storage_key',
    type: 'azurerm_mssql_database',
    path: ['import', 0, 'storage_key'],
    base: {
      name: 'db',
      server_id: SQL_ID,
      import: [
        {
          storage_uri: 'https://st.blob.core.windows.net/b/db.bacpac',
          storage_key_type: 'StorageAccessKey',
          administrator_login: 'sqladmin',
          authentication_type: 'Sql',
        },
      ],
    },
  },
  {
    entry: 'name account_key',
    type: 'azurerm_machine_learning_datastore_blobstorage',
    path: ['account_key'],
    base: { name: 'ds', workspace_id: 'x', storage_container_id: 'y' },
  },
  { entry: 'name pfx_blob', type: 'azurerm_app_service_certificate', path: ['pfx_blob'], base: { name: 'cert', ...RG } },
  {
    entry: 'name api_key',
    type: 'azurerm_application_insights_api_key',
    path: ['api_key'],
    base: { name: 'key', application_insights_id: 'x', read_permissions: ['api'] },
    computed: true,
  },
  {
    entry: 'suffix _primary_key',
    type: 'azurerm_eventhub_namespace',
    path: ['default_primary_key'],
    base: { name: 'eh', ...RG, sku: 'Standard' },
    computed: true,
  },
  {
    entry: 'suffix _secondary_key',
    type: 'azurerm_servicebus_namespace',
    path: ['default_secondary_key'],
    base: { name: 'sb', ...RG, sku: 'Standard' },
    computed: true,
  },
  {
    entry: 'suffix _readonly_key',
    type: 'azurerm_cosmosdb_account',
    path: ['primary_readonly_key'],
    base: { name: 'cosmos', ...RG, offer_type: 'Standard' },
    computed: true,
  },
  {
    entry: 'suffix _account_key',
    type: 'azurerm_stream_analytics_output_blob',
    path: ['storage_account_key'],
    base: {
      name: 'out',
      stream_analytics_job_name: 'job',
      resource_group_name: 'rg',
      storage_account_name: 'st',
      storage_container_name: 'c',
      path_pattern: 'x',
      date_format: 'yyyy-MM-dd',
      time_format: 'HH',
    },
  },
  {
    entry: 'suffix _sas_key',
    type: 'azurerm_mssql_server_vulnerability_assessment',
    path: ['storage_container_sas_key'],
    base: { server_security_alert_policy_id: 'x', storage_container_path: 'https://st.blob.core.windows.net/va/' },
  },
  {
    entry: 'suffix _connection_string_0',
    type: 'azurerm_redis_cache',
    path: ['redis_configuration', 0, 'aof_storage_connection_string_0'],
    base: {
      name: 'redis',
      ...RG,
      sku_name: 'Premium',
      family: 'P',
      capacity: 1,
      minimum_tls_version: '1.2',
      redis_configuration: [{ aof_backup_enabled: true }],
    },
  },
  {
    entry: 'suffix _connection_string_1',
    type: 'azurerm_redis_cache',
    path: ['redis_configuration', 0, 'aof_storage_connection_string_1'],
    base: {
      name: 'redis',
      ...RG,
      sku_name: 'Premium',
      family: 'P',
      capacity: 1,
      minimum_tls_version: '1.2',
      redis_configuration: [{ aof_backup_enabled: true }],
    },
  },
  {
    entry: 'type azurerm_key_vault_certificate contents',
    type: 'azurerm_key_vault_certificate',
    path: ['certificate', 0, 'contents'],
    base: { name: 'cert', key_vault_id: KV_ID, certificate: [{ password: '' }] },
  },
  {
    entry: 'type azurerm_key_vault_secret value',
    type: 'azurerm_key_vault_secret',
    path: ['value'],
    base: { name: 'db-password', key_vault_id: KV_ID },
  },
];

/** The same attribute on a mapped type and an unmapped one, at the top level and inside a block. */
function genericPlaces(entry: string, attribute: string): Place[] {
  return [
    { entry, type: 'azurerm_resource_group', path: [attribute], base: { name: 'rg', location: 'eastus', tags: TAGS } },
    {
      entry,
      type: 'azurerm_key_vault',
      path: ['network_acls', 0, attribute],
      base: {
        name: 'kv',
        ...RG,
        tags: TAGS,
        sku_name: 'standard',
        network_acls: [{ default_action: 'Deny', bypass: 'AzureServices' }],
      },
    },
    { entry, type: 'azurerm_container_group', path: [attribute], base: { name: 'cg', ...RG, tags: TAGS, os_type: 'Linux' } },
    {
      entry,
      type: 'azurerm_container_group',
      path: ['container', 0, attribute],
      base: { name: 'cg', ...RG, tags: TAGS, os_type: 'Linux', container: [{ name: 'app', image: 'nginx', cpu: 1, memory: 1 }] },
    },
  ];
}

const entries = [
  ...[...SECRET_NAMES].map((n) => ({ entry: `name ${n}`, attribute: n })),
  ...SECRET_SUFFIXES.map((s) => ({ entry: `suffix ${s}`, attribute: `planted${s}` })),
];
const places: Place[] = [
  ...REAL,
  ...entries.flatMap((e) => genericPlaces(e.entry, e.attribute)),
  ...Object.entries(TYPE_SECRET_NAMES).flatMap(([type, names]) =>
    names.map((n): Place => ({ entry: `type ${type} ${n}`, type, path: [n], base: { name: 'x', ...RG, key_vault_id: KV_ID } })),
  ),
];

/** `['os_profile', 0, 'admin_password']` → `os_profile[0].admin_password`, as the collector names it. */
const pathString = (p: Path): string =>
  p.reduce<string>((s, step) => (typeof step === 'number' ? `${s}[${step}]` : s ? `${s}.${step}` : step), '');

/** Sets `v` at `path`, copying the blocks on the way (bases are shared). */
function setAt(values: Record<string, unknown>, path: Path, v: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...Path];
  if (rest.length === 0) return { ...values, [head]: v };
  const [i, ...tail] = rest as [number, ...Path];
  const list = [...((values[head] as Record<string, unknown>[] | undefined) ?? [])];
  list[i] = setAt(list[i] ?? {}, tail, v);
  return { ...values, [head]: list };
}

/** Drops the configuration expression at `path`: the provider computed the value. */
function unconfigure(expressions: Record<string, unknown>, path: Path): void {
  let at: unknown = expressions;
  for (let i = 0; i < path.length - 1; i++) at = (at as Record<string | number, unknown>)[path[i] as string | number];
  if (at && typeof at === 'object') delete (at as Record<string | number, unknown>)[path[path.length - 1] as string];
}

interface Planted extends Place {
  address: string;
  value: string;
  attribute: string;
}

const planted: Planted[] = places.map((p, i) => {
  const name = `s${i}_${p.entry.replace(/[^a-z0-9_]/gi, '_')}`.toLowerCase();
  return { ...p, address: `${p.type}.${name}`, value: `${MARK}${i}-${p.path.join('.')}-7f3a`, attribute: pathString(p.path) };
});

function secretsPlan(): unknown {
  const built = buildPlan(
    planted.map((p) => ({
      type: p.type,
      name: p.address.slice(p.type.length + 1),
      values: setAt(p.base ?? {}, p.path, (p.holds ?? ((v: string) => v))(p.value)),
    })),
  );
  // A computed attribute has no configuration expression; everything buildPlan writes is configured.
  const config = (
    built.plan.configuration as { root_module: { resources: { address: string; expressions: Record<string, unknown> }[] } }
  ).root_module.resources;
  for (const p of planted) if (p.computed) unconfigure(config.find((c) => c.address === p.address)!.expressions, p.path);
  return built.plan;
}

interface GateFinding {
  check_id: string;
  address: string;
  status: string;
  reason: string;
  evidence: { secrets?: { attribute: string; sensitive: boolean }[] };
}

describe('the secret rules, as they must stay', () => {
  it('keeps every expected secret name', () => {
    expect([...SECRET_NAMES]).toEqual(expect.arrayContaining(EXPECTED_NAMES));
  });
  it('keeps every expected secret suffix', () => {
    expect([...SECRET_SUFFIXES]).toEqual(expect.arrayContaining(EXPECTED_SUFFIXES));
  });
  it('keeps every expected type-specific secret name', () => {
    for (const [type, names] of Object.entries(EXPECTED_TYPE_NAMES))
      expect(TYPE_SECRET_NAMES[type]).toEqual(expect.arrayContaining(names));
  });
  it('every entry has planted values (a placement per rule)', () => {
    const covered = new Set(planted.map((p) => p.entry));
    for (const e of entries) expect(covered.has(e.entry), e.entry).toBe(true);
    for (const p of planted) expect(p.entry.startsWith('type ') || entries.some((e) => e.entry === p.entry), p.entry).toBe(true);
  });
});

describe('a planted value under every secret rule, through the whole gate', () => {
  const planPath = join(dir, 'secrets.plan.json');
  let run: GateRun;
  let findings: GateFinding[] = [];

  beforeAll(() => {
    const text = JSON.stringify(secretsPlan());
    writeFileSync(planPath, text);
    // The plan carries every value in clear: the assertions below are about what the gate makes of it.
    for (const p of planted) expect(text).toContain(p.value);
    run = gateEveryFormat(planPath, 'secrets');
    findings = JSON.parse(run.stdout).findings;
  });

  it('the gate fails, and no planted value is on stdout or stderr', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(leaks(run.stdout)).toEqual([]);
    expect(leaks(run.stderr)).toEqual([]);
  });

  it.each(FORMATS)('%s: no planted value in the --output file', (format) => {
    expect(run.files[format]!.length).toBeGreaterThan(0);
    expect(leaks(run.files[format]!)).toEqual([]);
  });

  const byEntry = [...new Set(planted.map((p) => p.entry))].sort();
  it.each(byEntry)('%s: flagged by plan-no-plaintext-secrets, by attribute, never by value', (entry) => {
    for (const p of planted.filter((x) => x.entry === entry)) {
      const f = findings.find((x) => x.check_id === 'plan-no-plaintext-secrets' && x.address === p.address);
      const where = `${p.address} (${p.attribute})`;
      if (p.computed && !SUPPORTED_AZURERM_TYPES.includes(p.type)) {
        // An unmapped type is evaluated for its plaintext secrets only: nothing to report, no row.
        expect(f, where).toBeUndefined();
        continue;
      }
      expect(f, `${where}: no finding`).toBeDefined();
      if (p.computed) {
        expect(f!.status, where).toBe('pass');
        expect(f!.evidence.secrets, where).toEqual([]);
      } else {
        expect(f!.status, where).toBe('fail');
        expect(f!.evidence.secrets, where).toEqual([{ attribute: p.attribute, sensitive: false }]);
        expect(f!.reason, where).toBe(`secret value(s) stored in plaintext in the plan and state: ${p.attribute}`);
      }
    }
  });
});

// ---- values that do reach rows: what redaction (not the mappers' choice of attributes) keeps out -------------

/** A value the gate would show if redaction failed: copied into properties, tags or names, echoed by checks. */
const L = (label: string): string => `${MARK}L-${label}-9c1e`;
const KV = { ...RG, sku_name: 'standard', tenant_id: '00000000-0000-0000-0000-000000000000' };
interface Leak {
  type: string;
  name: string;
  values: Record<string, unknown>;
  /** after_sensitive (before_sensitive for a delete): marks on attributes that are in no secret list. */
  sensitive?: Record<string, unknown>;
  actions?: string[];
  unknown?: Record<string, unknown>;
  /** A check whose reason or evidence carries the attribute's value when the plan does not mark it sensitive. */
  echoedBy?: string;
  /** That check's verdict when it is marked: `unknown: <hidden path>`, or a status decided on known values. */
  verdict?: string;
}
const LEAKS: Leak[] = [
  {
    type: 'azurerm_mssql_server',
    name: 'tls',
    values: { name: 'sql', ...RG, version: '12.0', administrator_login: 'a', minimum_tls_version: L('sql-tls') },
    sensitive: { minimum_tls_version: true },
    echoedBy: 'sql-min-tls',
    verdict: 'unknown: properties.minimalTlsVersion',
  },
  {
    type: 'azurerm_storage_account',
    name: 'tls',
    values: {
      name: L('storage-name'),
      ...RG,
      location: L('location'),
      account_tier: 'Standard',
      account_replication_type: 'LRS',
      min_tls_version: L('storage-tls'),
    },
    sensitive: { name: true, location: true, min_tls_version: true },
    echoedBy: 'storage-min-tls',
    verdict: 'unknown: properties.minimumTlsVersion',
  },
  {
    type: 'azurerm_redis_cache',
    name: 'tls',
    values: { name: 'redis', ...RG, sku_name: 'Standard', family: 'C', capacity: 1, minimum_tls_version: L('redis-tls') },
    sensitive: { minimum_tls_version: true },
    echoedBy: 'redis-min-tls',
    verdict: 'unknown: properties.minimumTlsVersion',
  },
  {
    type: 'azurerm_kubernetes_cluster',
    name: 'np',
    values: {
      name: 'aks',
      ...RG,
      dns_prefix: 'aks',
      network_profile: [{ network_plugin: 'azure', network_policy: L('aks-policy') }],
    },
    sensitive: { network_profile: [{ network_policy: true }] },
    echoedBy: 'aks-network-policy',
    verdict: 'unknown: properties.networkProfile.networkPolicy',
  },
  {
    type: 'azurerm_network_security_group',
    name: 'nsg',
    values: {
      name: 'nsg',
      ...RG,
      security_rule: [
        {
          name: 'ssh',
          priority: 100,
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          source_port_range: '*',
          destination_port_range: '22',
          source_address_prefix: L('nsg-source'),
          destination_address_prefix: '*',
        },
      ],
    },
    sensitive: { security_rule: [{ source_address_prefix: true }] },
  },
  {
    type: 'azurerm_role_definition',
    name: 'rd',
    values: {
      name: 'ops',
      scope: '/subscriptions/00000000-0000-0000-0000-000000000000',
      permissions: [{ actions: ['*', L('role-action')] }],
    },
    sensitive: { permissions: [{ actions: [false, true] }] },
    echoedBy: 'no-custom-role-wildcard',
    verdict: 'unknown: properties.permissions[*].actions',
  },
  {
    type: 'azurerm_key_vault',
    name: 'tagleaf',
    values: { name: 'kv1', ...KV, tags: { CustomerID: 'bank_alpha', Environment: L('tag-env'), ManagedBy: L('tag-managedby') } },
    sensitive: { tags: { Environment: true, ManagedBy: true } },
    echoedBy: 'sox-production-tags',
    verdict: 'unknown: tags',
  },
  {
    type: 'azurerm_key_vault',
    name: 'tagall',
    values: { name: 'kv2', ...KV, tags: { Environment: 'prod', ManagedBy: L('tags-whole') } },
    sensitive: { tags: true },
  },
  // A secret-named key inside a map the mapper copies (tags): dropped by name, and flagged.
  {
    type: 'azurerm_key_vault',
    name: 'tagkey',
    values: { name: 'kv3', ...KV, tags: { ...TAGS, admin_password: L('tag-admin-password') } },
  },
  // Unknown until apply and sensitive, with a value a malformed plan still carries: unknown wins.
  {
    type: 'azurerm_mssql_server',
    name: 'unknown',
    values: { name: 'sql2', ...RG, version: '12.0', administrator_login: 'a', minimum_tls_version: L('unknown-sensitive') },
    unknown: { minimum_tls_version: true },
    sensitive: { minimum_tls_version: true },
  },
  // Deleted: rows come from `before`, marks from before_sensitive.
  {
    type: 'azurerm_key_vault',
    name: 'gone',
    actions: ['delete'],
    values: { name: 'kv4', ...KV, tags: { DataClass: L('deleted-dataclass'), Environment: 'prod' } },
    sensitive: { tags: { DataClass: true } },
    echoedBy: 'sox-audit-resource-destruction',
    // The vault's deletion decides, whatever its tags say.
    verdict: 'fail',
  },
  {
    type: 'azurerm_mssql_server',
    name: 'gone',
    actions: ['delete'],
    values: { name: 'sql3', ...RG, version: '12.0', administrator_login: 'a', minimum_tls_version: L('deleted-tls') },
    sensitive: { minimum_tls_version: true },
    echoedBy: 'sql-min-tls',
    verdict: 'unknown: properties.minimalTlsVersion',
  },
];

/** Secrets in the parts of a plan the gate never reads; guards against a reader that starts to. */
const UNREAD = {
  variables: L('variables'),
  variableDefault: L('variable-default'),
  priorState: L('prior-state'),
  driftBefore: L('drift-before'),
  driftAfter: L('drift-after'),
  updateBefore: L('update-before'),
  output: L('output'),
};

/** The leak plan; `marked` false leaves out every sensitive mark (the control: what the checks echo unhidden). */
function leakPlan(marked = true): Record<string, unknown> {
  const { plan } = buildPlan(LEAKS.map((l) => ({ type: l.type, name: l.name, values: l.values, actions: l.actions })));
  const changes = plan.resource_changes as { address: string; change: Record<string, unknown> }[];
  const planned = (plan.planned_values as { root_module: { resources: { address: string; sensitive_values: unknown }[] } })
    .root_module.resources;
  for (const l of LEAKS) {
    const address = `${l.type}.${l.name}`;
    const change = changes.find((c) => c.address === address)!.change;
    if (l.sensitive && marked) {
      if (l.actions?.includes('delete')) change.before_sensitive = l.sensitive;
      else change.after_sensitive = l.sensitive;
      const pv = planned.find((p) => p.address === address);
      if (pv) pv.sensitive_values = l.sensitive;
    }
    if (l.unknown) change.after_unknown = l.unknown;
  }
  // An update: the old value is in `before` only.
  const sql = changes.find((c) => c.address === 'azurerm_mssql_server.tls')!.change;
  sql.actions = ['update'];
  sql.before = { ...(sql.after as object), administrator_login_password: UNREAD.updateBefore };
  sql.before_sensitive = { administrator_login_password: true };
  const vault = { address: 'azurerm_key_vault.tagkey', mode: 'managed', type: 'azurerm_key_vault', name: 'tagkey' };
  return {
    ...plan,
    variables: { db_password: { value: UNREAD.variables } },
    prior_state: {
      format_version: '1.0',
      values: {
        root_module: {
          resources: [{ ...vault, values: { name: 'kv3', tags: { note: UNREAD.priorState } }, sensitive_values: { tags: true } }],
        },
      },
    },
    resource_drift: [
      {
        ...vault,
        change: {
          actions: ['update'],
          before: { tags: { note: UNREAD.driftBefore } },
          after: { tags: { note: UNREAD.driftAfter } },
          before_sensitive: { tags: true },
          after_sensitive: { tags: true },
        },
      },
    ],
    output_changes: { db_password: { actions: ['create'], before: null, after: UNREAD.output, after_sensitive: true } },
    configuration: {
      ...(plan.configuration as object),
      root_module: {
        ...(plan.configuration as { root_module: object }).root_module,
        variables: { db_password: { default: UNREAD.variableDefault, sensitive: true } },
      },
    },
  };
}

describe('values that reach rows: redaction keeps them out of every output', () => {
  const planPath = join(dir, 'leaks.plan.json');
  let run: GateRun;
  let json: { findings: GateFinding[] };

  let control: { findings: GateFinding[] };

  beforeAll(() => {
    const text = JSON.stringify(leakPlan());
    writeFileSync(planPath, text);
    const controlPath = join(dir, 'leaks-unmarked.plan.json');
    writeFileSync(controlPath, JSON.stringify(leakPlan(false)));
    control = JSON.parse(compline(['gate', controlPath, '--format', 'json']).stdout);
    for (const l of LEAKS)
      for (const v of Object.values(l.values).flatMap((x) => leaks(JSON.stringify(x)))) expect(text).toContain(v);
    for (const v of Object.values(UNREAD)) expect(text).toContain(v);
    run = gateEveryFormat(planPath, 'leaks');
    json = JSON.parse(run.stdout);
  });

  it('the gate fails, and no planted value is on stdout or stderr', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(leaks(run.stdout)).toEqual([]);
    expect(leaks(run.stderr)).toEqual([]);
  });

  it.each(FORMATS)('%s: no planted value in the --output file', (format) => {
    expect(run.files[format]!.length).toBeGreaterThan(0);
    expect(leaks(run.files[format]!)).toEqual([]);
  });

  it.each(LEAKS.filter((l) => l.echoedBy))('$type $name: $echoedBy echoes the value unmarked; marked: $verdict', (l) => {
    const find = (findings: GateFinding[]) =>
      findings.find((x) => x.check_id === l.echoedBy && x.address === `${l.type}.${l.name}`);
    // Unmarked, the check shows the value: the channel the mark must close.
    const shown = find(control.findings);
    expect(shown, `${l.echoedBy} on ${l.type}.${l.name}, unmarked`).toBeDefined();
    const planted = Object.values(l.values).flatMap((x) => leaks(JSON.stringify(x)).map((v) => v.toLowerCase()));
    const echoed = leaks(JSON.stringify([shown!.reason, shown!.evidence])).map((v) => v.toLowerCase());
    expect(echoed.filter((v) => planted.includes(v))).not.toEqual([]);
    // Marked, the value is not shown and does not decide: the verdict waits for it, naming where it is.
    const hidden = find(json.findings);
    expect(hidden, `${l.echoedBy} on ${l.type}.${l.name}`).toBeDefined();
    const [status, path] = l.verdict!.split(': ');
    expect(hidden!.status).toBe(status);
    if (path) expect(hidden!.reason).toBe(`not known at plan time (known only after apply or marked sensitive): ${path}`);
  });

  it('a secret-named key inside a copied map is flagged by its path', () => {
    const f = json.findings.find((x) => x.check_id === 'plan-no-plaintext-secrets' && x.address === 'azurerm_key_vault.tagkey');
    expect(f?.status).toBe('fail');
    expect(f?.evidence.secrets).toEqual([{ attribute: 'tags.admin_password', sensitive: false }]);
  });
});

describe('the DuckDB store the gate evaluates holds no planted value', () => {
  it('resources rows (properties, tags, names, secrets) and findings, for both plans', async () => {
    const [{ normalisePlan, readPlan }, { Store }, { evaluate }, { loadCatalogue }] = await Promise.all([
      import('../src/collectors/terraform-plan/index.js'),
      import('../src/store.js'),
      import('../src/engine.js'),
      import('../src/rules.js'),
    ]);
    // What gateCommand does, on a file instead of :memory: so the store can be read back as written.
    const planFile = join(dir, 'store.plan.json');
    const secrets = secretsPlan() as Record<string, unknown>;
    const leaky = leakPlan();
    writeFileSync(
      planFile,
      JSON.stringify({
        ...leaky,
        resource_changes: [...(leaky.resource_changes as unknown[]), ...(secrets.resource_changes as unknown[])],
        planned_values: undefined,
        configuration: {
          root_module: {
            resources: [
              ...(leaky.configuration as { root_module: { resources: unknown[] } }).root_module.resources,
              ...(secrets.configuration as { root_module: { resources: unknown[] } }).root_module.resources,
            ],
          },
        },
      }),
    );
    const plan = normalisePlan(await readPlan(planFile), 'store.plan.json');
    const store = await Store.open(join(dir, 'gate.duckdb'), { threads: 1 });
    try {
      await store.beginRun({ runId: 'gate', mode: 'gate', toolVersion: 'test', configSha256: null });
      await store.appendResources('gate', plan.rows);
      const catalogue = await loadCatalogue();
      const { findings } = await evaluate(store, catalogue.checks, {
        runId: 'gate',
        tenantIds: [],
        waivers: [],
        params: {},
        today: '2025-01-01',
        resources: plan.rows,
        passDetail: true,
      });
      const rows = await store.read<Record<string, unknown>>('select * from resources');
      const text = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      expect(rows.length).toBe(plan.rows.length);
      expect(leaks(text)).toEqual([]);
      expect(leaks(JSON.stringify(findings))).toEqual([]);
      // The secrets column carries names: the row of the vault with a password in its tags says where it is.
      const [vault] = await store.read<{ secrets: string; tags: string }>(
        `select secrets::varchar as secrets, tags::varchar as tags from resources where plan_address = 'azurerm_key_vault.tagkey'`,
      );
      expect(JSON.parse(vault!.secrets)).toEqual([{ attribute: 'tags.admin_password', sensitive: false }]);
      expect(JSON.parse(vault!.tags)).toEqual(TAGS);
    } finally {
      store.close();
    }
  });
});
