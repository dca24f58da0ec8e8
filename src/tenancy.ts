// Which tenant owns a row, first match wins. Azure resources: the tenant tag, a resource-group pattern, a dedicated
// cluster, an owned subscription. Kubernetes objects: a dedicated cluster, then the namespace's label, then its name.
import type { Config, Tenant } from './config.js';
import type { ResourceRow } from './model.js';

const escapeRegex = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * `rg-{tenant}-{env}` for one tenant → a case-insensitive regex over its environments. `hyphens`: `{tenant}` also
 * matches the id with hyphens for underscores, as a namespace name (an RFC 1123 label) cannot hold an underscore.
 */
function patternFor(pattern: string, tenant: Tenant, hyphens = false): RegExp {
  const ids = [...new Set([tenant.id, ...(hyphens ? [tenant.id.replaceAll('_', '-')] : [])])].map(escapeRegex);
  const envs = tenant.environments.map(escapeRegex).join('|');
  const body = pattern
    .split(/(\{tenant\}|\{env\}|\*)/)
    .map((part) => {
      if (part === '{tenant}') return `(?:${ids.join('|')})`;
      if (part === '{env}') return `(?:${envs})`;
      if (part === '*') return '.*';
      return escapeRegex(part);
    })
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

export interface TenantResolver {
  tenantIds: readonly string[];
  /** Owning tenant of a resource row, or null when no rule claims it. */
  resourceTenant(row: Pick<ResourceRow, 'tags' | 'resource_group' | 'subscription_id' | 'type' | 'name'>): string | null;
  /** Owner of a check subject that is not a resource row (`/subscriptions/<id>`, a resource group): the rules over its id. */
  subjectTenant(id: string): string | null;
  /** The tenant a cluster is dedicated to (every object of it is that tenant's), or null. */
  clusterTenant(cluster: string): string | null;
  /**
   * Owner of a namespace of a cluster no tenant has to itself: the tenant its label (`mapping.namespace_label`)
   * names, else the tenant whose name pattern (`mapping.namespaces`) it matches, else null (the platform's).
   */
  namespaceTenant(name: string, label: string | null): string | null;
}

export function tenantResolver(config: Config): TenantResolver {
  const byId = new Map(config.tenants.map((t) => [t.id.toLowerCase(), t.id]));
  const tagKey = config.mapping.tenant_tag.toLowerCase();
  const rgRules = config.tenants.flatMap((t) => config.mapping.resource_groups.map((p) => ({ re: patternFor(p, t), id: t.id })));
  const bySubscription = new Map<string, string>();
  const byCluster = new Map<string, string>();
  for (const t of config.tenants) {
    for (const s of t.subscriptions) bySubscription.set(s.toLowerCase(), t.id);
    for (const c of t.clusters) byCluster.set(c.toLowerCase(), t.id);
  }
  // Longest id first: in `gc-bank-alpha-x` the tenant bank_alpha is meant, not a tenant bank.
  const nsRules = [...config.tenants]
    .sort((a, b) => b.id.length - a.id.length)
    .flatMap((t) => config.mapping.namespaces.map((p) => ({ re: patternFor(p, t, true), id: t.id })));
  return {
    tenantIds: config.tenants.map((t) => t.id),
    clusterTenant: (cluster) => byCluster.get(cluster.toLowerCase()) ?? null,
    namespaceTenant(name, label) {
      const labelled = label === null ? undefined : byId.get(label.toLowerCase());
      if (labelled) return labelled;
      return nsRules.find((rule) => rule.re.test(name))?.id ?? null;
    },
    resourceTenant(row) {
      if (row.tags) {
        for (const [k, v] of Object.entries(row.tags)) {
          if (k.toLowerCase() === tagKey && typeof v === 'string') {
            const hit = byId.get(v.toLowerCase());
            if (hit) return hit;
          }
        }
      }
      if (row.resource_group) {
        for (const rule of rgRules) if (rule.re.test(row.resource_group)) return rule.id;
      }
      if (row.type === 'microsoft.containerservice/managedclusters') {
        const hit = byCluster.get(row.name.toLowerCase());
        if (hit) return hit;
      }
      if (row.subscription_id) return bySubscription.get(row.subscription_id.toLowerCase()) ?? null;
      return null;
    },
    subjectTenant(id) {
      const m = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?/i.exec(id);
      if (!m) return null;
      return this.resourceTenant({ tags: null, resource_group: m[2] ?? null, subscription_id: m[1]!, type: '', name: '' });
    },
  };
}
