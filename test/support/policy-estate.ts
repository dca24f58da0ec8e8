// Policy Insights as ARM serves it, for the local Azure server's `arm` handler: the latest policy states of each
// subscription, asked for by POST .../policyStates/latest/queryResults with $filter, $select, $from and $skiptoken,
// in the recorded answer's shape, page by page with an @odata.nextLink. A GET of queryResults (what the SDK's own
// pager sends for a next page) is refused as the service refuses it.
import type { ArmCall, Reply } from './azure-server.js';

export const PCI_INITIATIVE = '/providers/Microsoft.Authorization/policySetDefinitions/a06d5deb-24aa-4991-9d58-fa7563154e31';

/** One queryResults request as the server saw it. */
export interface PolicyCall {
  method: string;
  subscription: string;
  filter: string | null;
  select: string | null;
  from: string | null;
  top: string | null;
  skipToken: string | null;
  /** 1 for a first page, n for the page a skip token asks for. */
  page: number;
  at: number;
}

export interface StateOptions {
  /** Policy definition GUID (a built-in's name). */
  definition: string;
  groups: string[];
  state: 'Compliant' | 'NonCompliant' | 'Unknown' | 'Exempt' | 'Conflict';
  initiative?: string;
  assignment?: string;
}

/** A latest policy state record with every field the recorded answer has, for `resourceId` in subscription `sub`. */
export function policyState(sub: string, resourceId: string, o: StateOptions): Record<string, unknown> {
  const initiative = o.initiative ?? PCI_INITIATIVE;
  const assignment = o.assignment ?? `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/pci-dss-v401`;
  const rg = /\/resourceGroups\/([^/]+)/i.exec(resourceId)?.[1] ?? '';
  const type = /\/providers\/([^/]+\/[^/]+)\/[^/]+$/i.exec(resourceId)?.[1] ?? '';
  return {
    '@odata.id': null,
    '@odata.context': `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.PolicyInsights/policyStates/$metadata#latest/$entity`,
    timestamp: '2026-11-24T03:12:45.1234567Z',
    resourceId,
    policyAssignmentId: assignment,
    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${o.definition}`,
    effectiveParameters: '',
    isCompliant: o.state === 'Compliant',
    subscriptionId: sub,
    resourceType: type ? `/${type}` : '',
    resourceLocation: 'westeurope',
    resourceGroup: rg,
    resourceTags: 'tbd',
    policyAssignmentName: assignment.split('/').pop(),
    policyAssignmentOwner: 'tbd',
    policyAssignmentParameters: '{}',
    policyAssignmentScope: `/subscriptions/${sub}`,
    policyDefinitionName: o.definition,
    policyDefinitionAction: 'audit',
    policyDefinitionCategory: 'tbd',
    policySetDefinitionId: initiative,
    policySetDefinitionName: initiative.split('/').pop(),
    policySetDefinitionOwner: null,
    policySetDefinitionCategory: 'Regulatory Compliance',
    policySetDefinitionParameters: null,
    managementGroupIds: '',
    policyDefinitionReferenceId: o.definition,
    complianceState: o.state,
    policyDefinitionGroupNames: o.groups,
    policyDefinitionVersion: '1.0.0',
    policySetDefinitionVersion: '1.6.0',
    policyAssignmentVersion: '1.6.0',
  };
}

const QUERY = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.policyinsights\/policystates\/latest\/queryresults$/;

/** `Field eq 'value' or ...` → a test over records; anything else in a filter is refused, as an invalid filter is. */
function filterOf(filter: string | null): ((r: Record<string, unknown>) => boolean) | null {
  if (!filter) return () => true;
  const terms = filter.split(' or ').map((t) => /^(\w+) eq '([^']*)'$/.exec(t.trim()));
  if (terms.some((t) => t === null)) return null;
  const field = (name: string) => name[0]!.toLowerCase() + name.slice(1);
  return (r) => terms.some((t) => String(r[field(t![1]!)] ?? '').toLowerCase() === t![2]!.toLowerCase());
}

/** Only the selected columns, as the service answers a $select. */
function project(r: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return r;
  const keys = select.split(',').map((k) => k.trim()[0]!.toLowerCase() + k.trim().slice(1));
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));
}

const tokenOfPage = (page: number) => Buffer.from(JSON.stringify({ page })).toString('base64');
const pageOfToken = (token: string | null) =>
  token ? ((JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { page?: number }).page ?? 2) : 1;

/**
 * The states of each subscription (by id, any case), `pageSize` a page; `faults[`${sub}#${page}`]` replies come
 * before the answer, one per request. `calls` lists every queryResults request.
 */
export function policyStatesEstate(
  states: Record<string, Record<string, unknown>[]>,
  opts: { pageSize?: number; faults?: Record<string, Reply[]> } = {},
): { arm: (call: ArmCall) => Reply | undefined; calls: PolicyCall[] } {
  const bySub = new Map(Object.entries(states).map(([k, v]) => [k.toLowerCase(), v]));
  const faults = new Map(Object.entries(opts.faults ?? {}).map(([k, v]) => [k.toLowerCase(), [...v]]));
  const pageSize = opts.pageSize ?? 1000;
  const calls: PolicyCall[] = [];
  const arm = (call: ArmCall): Reply | undefined => {
    const m = QUERY.exec(call.path);
    if (!m) return undefined;
    const p = call.params;
    const skipToken = p.get('$skiptoken');
    const pc: PolicyCall = {
      method: call.method,
      subscription: m[1]!,
      filter: p.get('$filter'),
      select: p.get('$select'),
      from: p.get('$from'),
      top: p.get('$top'),
      skipToken,
      page: pageOfToken(skipToken),
      at: call.at,
    };
    calls.push(pc);
    if (call.method !== 'POST')
      return {
        status: 405,
        body: {
          error: {
            code: 'HttpMethodNotSupported',
            message: `The http method '${call.method}' is not supported for 'queryResults'.`,
          },
        },
      };
    const fault = faults.get(`${pc.subscription}#${pc.page}`)?.shift();
    if (fault) return fault;
    const keep = filterOf(pc.filter);
    if (!keep)
      return { status: 400, body: { error: { code: 'InvalidFilterInQueryString', message: `Invalid $filter: ${pc.filter}` } } };
    const all = (bySub.get(pc.subscription) ?? []).filter(keep);
    const value = all.slice((pc.page - 1) * pageSize, pc.page * pageSize).map((r) => project(r, pc.select));
    const more = pc.page * pageSize < all.length;
    const base = `https://management.azure.com/subscriptions/${pc.subscription}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults?api-version=2024-10-01`;
    return {
      body: {
        '@odata.nextLink': more ? `${base}&$skiptoken=${encodeURIComponent(tokenOfPage(pc.page + 1))}` : null,
        '@odata.context': `https://management.azure.com/subscriptions/${pc.subscription}/providers/Microsoft.PolicyInsights/policyStates/$metadata#latest`,
        '@odata.count': value.length,
        value,
      },
    };
  };
  return { arm, calls };
}
