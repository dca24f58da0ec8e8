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

/**
 * The parent and child type of an ARM collection path (an id ending in a type, not a name):
 * `<server>/firewallRules` → the server and `microsoft.sql/servers/firewallrules`;
 * `<vault>/providers/Microsoft.Insights/diagnosticSettings` → the vault and `microsoft.insights/diagnosticsettings`;
 * `/subscriptions/<s>/providers/Microsoft.Authorization/roleAssignments` → the subscription. Null for anything else.
 */
export function collectionOf(path: string): { parent_id: string; child_type: string } | null {
  const lower = path.toLowerCase().replace(/\/+$/, '');
  const at = lower.lastIndexOf('/providers/');
  if (at < 0) return null;
  const scope = lower.slice(0, at);
  const segments = lower.slice(at + '/providers/'.length).split('/');
  // namespace, then type/name pairs ending in a type: an even count of at least two, none empty
  if (segments.length < 2 || segments.length % 2 !== 0 || segments.includes('')) return null;
  if (!isScope(scope)) return null;
  const types = segments.filter((_, i) => i % 2 === 1);
  return {
    parent_id: segments.length === 2 ? scope : `${scope}/providers/${segments.slice(0, -1).join('/')}`,
    child_type: `${segments[0]}/${types.join('/')}`,
  };
}

/** A subscription, a resource group, or a resource (which may itself be an extension of another scope). */
function isScope(id: string): boolean {
  if (/^\/subscriptions\/[^/]+(\/resourcegroups\/[^/]+)?$/.test(id)) return true;
  const at = id.lastIndexOf('/providers/');
  if (at < 0) return false;
  const segments = id.slice(at + '/providers/'.length).split('/');
  return segments.length >= 3 && segments.length % 2 === 1 && !segments.includes('') && isScope(id.slice(0, at));
}

function tagsOf(v: unknown): Record<string, string> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/**
 * The resource's managed identity. Resource Graph's Resources table has an `identity` column on every row, null when
 * the resource has none, so a row carrying the field as null is a resource without one: ARM's `{type: "None"}`. A row
 * without the field (a query that projected it away, an ARM document that leaves it out) says nothing: null, which a
 * check reads as missing evidence, never as "no identity".
 */
function identityOf(resource: ArmObject): Json {
  if (!('identity' in resource)) return null;
  const v = resource.identity;
  if (v === null || v === undefined) return { type: 'None' };
  return v as Json;
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
    identity: identityOf(resource),
    origin,
    parent_id: parentOf(id),
    plan_address: null,
    plan_actions: null,
    unknown_paths: null,
    secrets: null,
    tenant_id: null,
  };
}
