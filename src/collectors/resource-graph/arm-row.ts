// An ARM resource as Resource Graph or an ARM GET returns it → one `resources` row.
import type { Json, ResourceRow } from '../../model.js';

type ArmObject = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** `/subscriptions/<s>/resourceGroups/<rg>/...` → its parts. */
function idParts(id: string): { subscription: string | null; resourceGroup: string | null } {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?/i.exec(id);
  return { subscription: m?.[1] ?? null, resourceGroup: m?.[2] ?? null };
}

/**
 * What a resource attaches to: an extension resource (`<target>/providers/<ns>/<type>/<name>`)
 * belongs to its target; a child (`.../<type>/<name>/<child>/<name>`) to its parent; a resource
 * directly under a subscription to the subscription.
 */
export function parentOf(id: string): string | null {
  const lower = id.toLowerCase();
  const ext = lower.lastIndexOf('/providers/');
  const first = lower.indexOf('/providers/');
  if (ext > first && first >= 0) return lower.slice(0, ext);
  if (first < 0) return null;
  // A subscription-level resource (Defender pricing, role assignment, activity-log export) belongs to the subscription.
  const scope = lower.slice(0, first);
  if (/^\/subscriptions\/[^/]+$/.test(scope)) return scope;
  const segments = lower.slice(first + '/providers/'.length).split('/');
  // namespace / type / name is a top-level resource; each further type/name pair is a child level.
  if (segments.length <= 3) return null;
  return lower.slice(0, first + '/providers/'.length) + segments.slice(0, segments.length - 2).join('/');
}

function tagsOf(v: unknown): Record<string, string> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Returns null when the object is not an ARM resource (no id or type). */
export function armToRow(resource: ArmObject, origin: ResourceRow['origin']): ResourceRow | null {
  const id = str(resource.id);
  const type = str(resource.type);
  if (!id || !type) return null;
  const parts = idParts(id);
  return {
    id: id.toLowerCase(),
    type: type.toLowerCase(),
    name: str(resource.name) ?? id.slice(id.lastIndexOf('/') + 1),
    location: str(resource.location),
    subscription_id: (str(resource.subscriptionId) ?? parts.subscription)?.toLowerCase() ?? null,
    resource_group: str(resource.resourceGroup) ?? parts.resourceGroup,
    tags: tagsOf(resource.tags),
    sku: (resource.sku ?? null) as Json,
    properties: (resource.properties ?? null) as Json,
    origin,
    parent_id: parentOf(id),
    plan_address: null,
    plan_actions: null,
    unknown_paths: null,
    secrets: null,
    tenant_id: null,
  };
}
