// ARM's child settings Resource Graph lacks, as the local Azure server answers them to @azure/arm-sql,
// @azure/arm-storage, @azure/arm-mysql-flexible, @azure/arm-postgresql-flexible, @azure/arm-cdn and (a vault's data
// plane) @azure/keyvault-certificates: SQL server auditing (serverBlobAuditingPolicies, paged), database TDE
// (transparentDataEncryption, paged), blob service properties (a one-item list), the lifecycle management policy (a
// GET; 404 ManagementPolicyNotFound when the account has none), flexible server parameters (paged), Front Door security
// policies (paged), and a vault's certificates (paged) and each one's policy (a GET). A vault's calls name it as the
// parent `/vaults/<name>`; it answers at an origin of its own (test/support/azure-server.ts). Shapes follow the Azure REST API specification's examples
// (ServerBlobAuditingList, TransparentDataEncryptionList, BlobServicesList, StorageAccountGetManagementPolicy,
// ConfigurationListByServer, SecurityPolicies_ListByProfile, GetCertificates, GetCertificatePolicy).
import type { Reply } from './azure-server.js';

export type ChildApi =
  | 'auditing'
  | 'tde'
  | 'blob-services'
  | 'management-policy'
  | 'mysql-parameters'
  | 'postgres-parameters'
  | 'security-policies'
  | 'certificates'
  | 'certificate-policy';

/** One ARM GET of a child collection as the server saw it. */
export interface ChildCall {
  api: ChildApi;
  /** The parent's id, lower case, with its leading slash (a vault's is `/vaults/<name>`). */
  parent: string;
  /** The child a GET of one names (a certificate), lower case. */
  child?: string;
  apiVersion: string | null;
  /** The page a `$skiptoken` asks for (1 for the first). */
  page: number;
  /** The nextLink that leads to page n of this list. */
  nextLink(page: number): string;
  /** The origin the request came to (`https://127.0.0.1:<port>`; a vault's own), which a vault's answers name it by. */
  origin: string;
  at: number;
}

const ROUTES: [ChildApi, RegExp][] = [
  ['auditing', /^(\/subscriptions\/.+\/providers\/microsoft\.sql\/servers\/[^/]+)\/auditingsettings$/],
  ['tde', /^(\/subscriptions\/.+\/providers\/microsoft\.sql\/servers\/[^/]+\/databases\/[^/]+)\/transparentdataencryption$/],
  ['blob-services', /^(\/subscriptions\/.+\/providers\/microsoft\.storage\/storageaccounts\/[^/]+)\/blobservices$/],
  [
    'management-policy',
    /^(\/subscriptions\/.+\/providers\/microsoft\.storage\/storageaccounts\/[^/]+)\/managementpolicies\/default$/,
  ],
  ['mysql-parameters', /^(\/subscriptions\/.+\/providers\/microsoft\.dbformysql\/flexibleservers\/[^/]+)\/configurations$/],
  [
    'postgres-parameters',
    /^(\/subscriptions\/.+\/providers\/microsoft\.dbforpostgresql\/flexibleservers\/[^/]+)\/configurations$/,
  ],
  ['security-policies', /^(\/subscriptions\/.+\/providers\/microsoft\.cdn\/profiles\/[^/]+)\/securitypolicies$/],
  ['certificates', /^(\/vaults\/[^/]+)\/certificates$/],
  ['certificate-policy', /^(\/vaults\/[^/]+)\/certificates\/([^/]+)\/policy$/],
];

/** Which child API a GET path (lower case) asks for, of which parent, and the child it names. */
export function childRoute(path: string): { api: ChildApi; parent: string; child?: string } | null {
  for (const [api, re] of ROUTES) {
    const m = re.exec(path);
    if (m) return { api, parent: m[1]!, ...(m[2] ? { child: m[2] } : {}) };
  }
  return null;
}

/** A server's auditing policy as ARM returns it; `Disabled` with no destination is what a new server has. */
export function auditingPolicy(server: string, properties: Record<string, unknown> = {}) {
  return {
    id: `${server}/auditingSettings/Default`,
    name: 'Default',
    type: 'Microsoft.Sql/servers/auditingSettings',
    properties: {
      isDevopsAuditEnabled: false,
      retentionDays: 0,
      auditActionsAndGroups: [],
      isStorageSecondaryKeyInUse: false,
      isAzureMonitorTargetEnabled: false,
      isManagedIdentityInUse: false,
      state: 'Disabled',
      storageEndpoint: '',
      storageAccountSubscriptionId: '00000000-0000-0000-0000-000000000000',
      ...properties,
    },
  };
}

/** A database's TDE as ARM returns it; new databases are encrypted by default. */
export function tdeOf(database: string, state: 'Enabled' | 'Disabled' | null = 'Enabled') {
  return {
    id: `${database}/transparentDataEncryption/Current`,
    name: 'Current',
    type: 'Microsoft.Sql/servers/databases/transparentDataEncryption',
    properties: state === null ? {} : { state },
  };
}

/** An account's blob service as ARM returns it; soft delete (7 days) on, versioning off: the portal's defaults. */
export function blobServiceOf(account: string, properties: Record<string, unknown> = {}) {
  return {
    id: `${account}/blobServices/default`,
    name: 'default',
    type: 'Microsoft.Storage/storageAccounts/blobServices',
    sku: { name: 'Standard_GRS', tier: 'Standard' },
    properties: {
      cors: { corsRules: [] },
      deleteRetentionPolicy: { allowPermanentDelete: false, enabled: true, days: 7 },
      containerDeleteRetentionPolicy: { enabled: true, days: 7 },
      isVersioningEnabled: false,
      changeFeed: { enabled: false },
      ...properties,
    },
  };
}

/** An account's lifecycle policy as ARM returns it, with these rules. */
export function managementPolicyOf(account: string, rules: Record<string, unknown>[]) {
  return {
    id: `${account}/managementPolicies/default`,
    name: 'DefaultManagementPolicy',
    type: 'Microsoft.Storage/storageAccounts/managementPolicies',
    properties: { lastModifiedTime: '2026-06-08T03:01:55.7168089Z', policy: { rules } },
  };
}

/** The lifecycle rule the platform prescribes for audit logs: cool at 30 days, archive at 180, delete at `days`. */
export function auditRetentionRule(days: number) {
  return {
    enabled: true,
    name: 'audit-retention',
    type: 'Lifecycle',
    definition: {
      filters: { blobTypes: ['blockBlob', 'appendBlob'] },
      actions: {
        baseBlob: {
          tierToCool: { daysAfterModificationGreaterThan: 30 },
          tierToArchive: { daysAfterModificationGreaterThan: 180 },
          delete: { daysAfterModificationGreaterThan: days },
        },
      },
    },
  };
}

/** A flexible server parameter as ARM lists it; MySQL writes values in upper case, PostgreSQL in lower case. */
export function serverParameter(
  server: string,
  name: string,
  value: string,
  properties: Record<string, unknown> = {},
): Record<string, unknown> {
  const mysql = server.includes('/microsoft.dbformysql/');
  return {
    id: `${server}/configurations/${name}`,
    name,
    type: mysql
      ? 'Microsoft.DBforMySQL/flexibleServers/configurations'
      : 'Microsoft.DBforPostgreSQL/flexibleServers/configurations',
    properties: { value, source: 'system-default', isReadOnly: mysql ? 'False' : false, ...properties },
  };
}

/** A new server's parameters, among them require_secure_transport at its default (ON). */
export function defaultParameters(server: string): Record<string, unknown>[] {
  if (server.includes('/microsoft.dbformysql/'))
    return [
      serverParameter(server, 'audit_log_enabled', 'OFF', {
        defaultValue: 'OFF',
        dataType: 'Enumeration',
        allowedValues: 'ON,OFF',
      }),
      serverParameter(server, 'require_secure_transport', 'ON', {
        description: 'Whether client connections to the server are required to use some form of secure transport.',
        defaultValue: 'ON',
        dataType: 'Enumeration',
        allowedValues: 'ON,OFF',
        isConfigPendingRestart: 'False',
        isDynamicConfig: 'True',
      }),
      serverParameter(server, 'tls_version', 'TLSv1.2', {
        defaultValue: 'TLSv1.2',
        dataType: 'Set',
        allowedValues: 'TLSv1.2,TLSv1.3',
      }),
    ];
  return [
    serverParameter(server, 'log_connections', 'on', { defaultValue: 'on', dataType: 'Boolean', allowedValues: 'on,off' }),
    serverParameter(server, 'require_secure_transport', 'on', {
      description: 'Whether client connections to the server are required to use some form of secure transport.',
      defaultValue: 'on',
      dataType: 'Boolean',
      allowedValues: 'on,off',
      isConfigPendingRestart: false,
      isDynamicConfig: true,
      documentationLink: 'https://go.microsoft.com/fwlink/?linkid=2282317',
    }),
    serverParameter(server, 'ssl_min_protocol_version', 'TLSv1.2', { defaultValue: 'TLSv1.2', dataType: 'Enumeration' }),
  ];
}

/** A Front Door security policy attaching `wafPolicy` (an ARM id) to the profile's domains. */
export function securityPolicyOf(profile: string, name: string, wafPolicy: string) {
  return {
    id: `${profile}/securitypolicies/${name}`,
    name,
    type: 'Microsoft.Cdn/profiles/securitypolicies',
    properties: {
      provisioningState: 'Succeeded',
      deploymentStatus: 'NotStarted',
      profileName: profile.split('/').pop(),
      parameters: {
        type: 'WebApplicationFirewall',
        wafPolicy: { id: wafPolicy },
        associations: [{ domains: [{ id: `${profile}/afddomains/www-contoso-com`, isActive: true }], patternsToMatch: ['/*'] }],
      },
    },
  };
}

/** A certificate of a vault: its name and its policy's lifetime actions (action_type AutoRenew or EmailContacts). */
export interface VaultCertificate {
  name: string;
  lifetimeActions: { action_type: string; lifetime_percentage?: number; days_before_expiry?: number }[];
  validityMonths?: number;
}

const certificateAttributes = { enabled: true, nbf: 1764892800, exp: 1796428800, created: 1764893400, updated: 1764893400 };

/** The list item of a certificate, as GET /certificates returns it: its attributes, thumbprint and tags. */
export function certificateItem(vaultUrl: string, c: VaultCertificate) {
  return {
    id: `${vaultUrl}/certificates/${c.name}`,
    x5t: 'fLi3U52HunIVNXubkEnf8tP6Wbo',
    attributes: { ...certificateAttributes, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
    tags: { owner: 'payments' },
  };
}

/** A certificate's policy, as GET /certificates/<name>/policy returns it (Key Vault's own snake-case names). */
export function certificatePolicy(vaultUrl: string, c: VaultCertificate) {
  return {
    id: `${vaultUrl}/certificates/${c.name}/policy`,
    key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
    secret_props: { contentType: 'application/x-pkcs12' },
    x509_props: {
      subject: `CN=${c.name}.contoso.com`,
      sans: { dns_names: [`${c.name}.contoso.com`] },
      ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      key_usage: ['digitalSignature', 'keyEncipherment'],
      validity_months: c.validityMonths ?? 12,
      basic_constraints: { ca: false },
    },
    lifetime_actions: c.lifetimeActions.map(({ action_type, ...trigger }) => ({ trigger, action: { action_type } })),
    issuer: { name: 'Self' },
    attributes: { enabled: true, created: 1764893400, updated: 1764893400 },
  };
}

export interface ChildEstate {
  /** Auditing policies by server id (any case); a server not named has one, Disabled. */
  auditing?: Record<string, Record<string, unknown>[]>;
  /** TDE by database id; a database not named is Enabled. */
  tde?: Record<string, Record<string, unknown>[]>;
  blobServices?: Record<string, Record<string, unknown>[]>;
  /** Management policies by account id; an account not named has none (404). */
  managementPolicies?: Record<string, Record<string, unknown>>;
  /** Flexible server parameters by server id; a server not named has defaultParameters. */
  parameters?: Record<string, Record<string, unknown>[]>;
  /** Front Door security policies by profile id; a profile not named has none. */
  securityPolicies?: Record<string, Record<string, unknown>[]>;
  /** Certificates by vault path (`/vaults/<name>`); a vault not named holds none. */
  certificates?: Record<string, VaultCertificate[]>;
}

/**
 * The answers of an estate's child settings, lists paged `pageSize` items at a time with a nextLink, after
 * `emptyPages` empty pages that carry only a nextLink (ARM's paging contract allows them: a client follows nextLink,
 * not the item count), and faults first: `faults['<api> <parent id>']` replies come before the answer, one per request.
 */
export function childrenEstate(
  estate: ChildEstate = {},
  faults: Record<string, Reply[]> = {},
  { pageSize = 1, emptyPages = 0 }: { pageSize?: number; emptyPages?: number } = {},
): (call: ChildCall) => Reply {
  const lower = <T>(m: Record<string, T> | undefined) => new Map(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const auditing = lower(estate.auditing);
  const tde = lower(estate.tde);
  const blob = lower(estate.blobServices);
  const policies = lower(estate.managementPolicies);
  const parameters = lower(estate.parameters);
  const securityPolicies = lower(estate.securityPolicies);
  const certificates = lower(estate.certificates);
  const pending = new Map(Object.entries(faults).map(([k, v]) => [k.toLowerCase(), [...v]]));
  const page = (call: ChildCall, items: unknown[]): Reply => {
    if (call.page <= emptyPages) return { body: { value: [], nextLink: call.nextLink(call.page + 1) } };
    const start = (call.page - 1 - emptyPages) * pageSize;
    const more = start + pageSize < items.length;
    return { body: { value: items.slice(start, start + pageSize), ...(more ? { nextLink: call.nextLink(call.page + 1) } : {}) } };
  };
  return (call) => {
    const fault = pending.get(`${call.api} ${call.parent}`)?.shift();
    if (fault) return fault;
    const { parent } = call;
    switch (call.api) {
      case 'auditing':
        return page(call, auditing.get(parent) ?? [auditingPolicy(parent)]);
      case 'tde':
        return page(call, tde.get(parent) ?? [tdeOf(parent)]);
      case 'blob-services':
        return { body: { value: blob.get(parent) ?? [blobServiceOf(parent)] } };
      case 'management-policy': {
        const policy = policies.get(parent);
        if (policy) return { body: policy };
        const name = parent.split('/').pop();
        return {
          status: 404,
          body: { error: { code: 'ManagementPolicyNotFound', message: `No ManagementPolicy found for account ${name}` } },
        };
      }
      case 'mysql-parameters':
      case 'postgres-parameters':
        return page(call, parameters.get(parent) ?? defaultParameters(parent));
      case 'security-policies':
        return page(call, securityPolicies.get(parent) ?? []);
      case 'certificates':
        return page(
          call,
          (certificates.get(parent) ?? []).map((c) => certificateItem(call.origin, c)),
        );
      case 'certificate-policy': {
        const c = (certificates.get(parent) ?? []).find((x) => x.name.toLowerCase() === call.child);
        if (c) return { body: certificatePolicy(call.origin, c) };
        return {
          status: 404,
          body: {
            error: {
              code: 'CertificateNotFound',
              message: `A certificate with (name/id) ${call.child} was not found in this key vault.`,
            },
          },
        };
      }
    }
  };
}
