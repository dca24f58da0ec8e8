// ARM's child settings Resource Graph lacks, as the local Azure server answers them to @azure/arm-sql and
// @azure/arm-storage: SQL server auditing (serverBlobAuditingPolicies, paged), database TDE (transparentDataEncryption,
// paged), blob service properties (a one-item list) and the lifecycle management policy (a GET; 404
// ManagementPolicyNotFound when the account has none). Shapes follow the Azure REST API specification's examples
// (ServerBlobAuditingList, TransparentDataEncryptionList, BlobServicesList, StorageAccountGetManagementPolicy).
import type { Reply } from './azure-server.js';

export type ChildApi = 'auditing' | 'tde' | 'blob-services' | 'management-policy';

/** One ARM GET of a child collection as the server saw it. */
export interface ChildCall {
  api: ChildApi;
  /** The parent's id, lower case, with its leading slash. */
  parent: string;
  apiVersion: string | null;
  /** The page a `$skiptoken` asks for (1 for the first). */
  page: number;
  /** The nextLink that leads to page n of this list. */
  nextLink(page: number): string;
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
];

/** Which child API a GET path (lower case) asks for, and of which parent. */
export function childRoute(path: string): { api: ChildApi; parent: string } | null {
  for (const [api, re] of ROUTES) {
    const m = re.exec(path);
    if (m) return { api, parent: m[1]! };
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

export interface ChildEstate {
  /** Auditing policies by server id (any case); a server not named has one, Disabled. */
  auditing?: Record<string, Record<string, unknown>[]>;
  /** TDE by database id; a database not named is Enabled. */
  tde?: Record<string, Record<string, unknown>[]>;
  blobServices?: Record<string, Record<string, unknown>[]>;
  /** Management policies by account id; an account not named has none (404). */
  managementPolicies?: Record<string, Record<string, unknown>>;
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
    }
  };
}
