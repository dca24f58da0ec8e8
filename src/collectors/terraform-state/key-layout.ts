// Which tenant and environment a state file belongs to, from its key: `customers/{tenant}/{env}/terraform.tfstate`.
import type { Tenant } from '../../config.js';

export type KeyMatch =
  | { tenant: string; environment: string }
  /** The key fits a pattern but names no configured tenant or one of its environments. */
  | { stray: string }
  | null;

const escapeRegex = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** The layout's matcher: tenants and environments compared case-insensitively; `*` stays within one path segment. */
export function keyLayout(patterns: readonly string[], tenants: readonly Pick<Tenant, 'id' | 'environments'>[]) {
  const res = patterns.map((p) => {
    const order: ('tenant' | 'env')[] = [];
    const body = p
      .split(/(\{tenant\}|\{env\}|\*)/)
      .map((part) => {
        if (part === '{tenant}' || part === '{env}') {
          order.push(part === '{tenant}' ? 'tenant' : 'env');
          return '([^/]+)';
        }
        return part === '*' ? '[^/]*' : escapeRegex(part);
      })
      .join('');
    return { re: new RegExp(`^${body}$`), order };
  });
  const byId = new Map(tenants.map((t) => [t.id.toLowerCase(), t]));
  return (key: string): KeyMatch => {
    for (const { re, order } of res) {
      const m = re.exec(key);
      if (!m) continue;
      const tenantName = m[order.indexOf('tenant') + 1]!;
      const env = m[order.indexOf('env') + 1]!.toLowerCase();
      const tenant = byId.get(tenantName.toLowerCase());
      if (!tenant) return { stray: `key names no configured tenant (${tenantName})` };
      if (!tenant.environments.includes(env)) return { stray: `key names an environment ${tenant.id} does not have (${env})` };
      return { tenant: tenant.id, environment: env };
    }
    return null;
  };
}
