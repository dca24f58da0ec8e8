// A Terraform plan's monthly cost delta at list prices: create adds, delete subtracts, update and replace are
// after − before. Read from the plan's resource_changes (both sides), not from the mapped rows, which keep one side.
import { DISK_TIERS, type DiskStorageType } from './catalogue.js';
import { HOURS_PER_MONTH, type Os, type Price, type PriceLookup } from './lookup.js';

export type CostAction = 'create' | 'delete' | 'update' | 'replace';

/** One priced part of a resource: a VM's compute, its OS disk, a cluster's control plane, a database's storage. */
export interface CostLine {
  what: string;
  sku: string;
  quantity: number;
  /** Where the quantity comes from: `instances`, `node_count`, `min_count (autoscaling to max_count 5)`, `max_size_gb`. */
  basis: string;
  unit_price: number;
  unit: string;
  monthly: number;
}

export interface CostSide {
  region: string;
  lines: CostLine[];
  monthly: number;
}

export interface CostItem {
  address: string;
  type: string;
  action: CostAction;
  before: CostSide | null;
  after: CostSide | null;
  monthly_delta: number;
  /** What the price leaves out, e.g. an OS disk whose size the image sets. */
  notes: string[];
}

/**
 * A changed resource of a priced type that has no number: usage-based (billed by what it stores or runs),
 * billed-elsewhere (an elastic pool's database), unknown-at-plan (a value known only after apply, or marked
 * sensitive), no-price (the plan lacks what the price needs, or the sheet lacks the SKU, tier or region).
 */
export interface NotPriced {
  address: string;
  type: string;
  action: CostAction;
  kind: 'usage-based' | 'billed-elsewhere' | 'unknown-at-plan' | 'no-price';
  reason: string;
}

export interface PlanCost {
  price_sheet: { date: string; currency: string; origin: 'bundled' | 'refreshed'; source: string; file: string | null };
  hours_per_month: number;
  /** Sum of the priced items' deltas; resources in not_priced and unpriced_types are not in it. */
  monthly_delta: number;
  items: CostItem[];
  not_priced: NotPriced[];
  /** Changed azurerm resources of types Compline does not price, by type: named, never counted as 0. */
  unpriced_types: Record<string, number>;
  budget: {
    limit: number;
    /** exceeded: the delta is over the limit; unknown: a resource that could raise it has no price. */
    status: 'within' | 'exceeded' | 'unknown';
    reason: string;
    blocking: boolean;
  } | null;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** What a side of a change says of one attribute. */
type Read = { value: unknown } | { missing: 'unknown' | 'sensitive' | 'absent' };

/** One side (before or after) of a change, with its unknown and sensitive mirrors. */
class Side {
  constructor(
    readonly values: Obj,
    readonly unknown: unknown,
    readonly sensitive: unknown,
  ) {}

  /** A nested block (`default_node_pool[0]`) as a side of its own, its mirrors following; null when not an object. */
  block(name: string): Side | null {
    const v = this.values[name];
    const first = Array.isArray(v) ? v[0] : v;
    if (!isObj(first)) return null;
    const sub = (mirror: unknown): unknown => {
      const m = isObj(mirror) ? mirror[name] : mirror === true ? true : undefined;
      return Array.isArray(m) ? m[0] : m;
    };
    return new Side(first, sub(this.unknown), sub(this.sensitive));
  }

  read(...path: (string | number)[]): Read {
    let v: unknown = this.values;
    let u: unknown = this.unknown;
    let s: unknown = this.sensitive;
    for (const step of path) {
      if (u === true) return { missing: 'unknown' };
      if (s === true) return { missing: 'sensitive' };
      v = (v as Record<string | number, unknown> | null | undefined)?.[step];
      u = isObj(u) || Array.isArray(u) ? (u as Record<string | number, unknown>)[step] : undefined;
      s = isObj(s) || Array.isArray(s) ? (s as Record<string | number, unknown>)[step] : undefined;
    }
    if (u === true) return { missing: 'unknown' };
    if (s === true) return { missing: 'sensitive' };
    if (v === null || v === undefined || v === '') return { missing: 'absent' };
    return { value: v };
  }
}

/** Why a side has no price: the kind and one line. */
class Unpriced extends Error {
  constructor(
    readonly kind: NotPriced['kind'],
    message: string,
  ) {
    super(message);
  }
}

const ATTR_MISSING: Record<'unknown' | 'sensitive' | 'absent', string> = {
  unknown: 'known only after apply',
  sensitive: 'marked sensitive',
  absent: 'not in the plan',
};

function need(side: Side, label: string, ...path: (string | number)[]): unknown {
  const r = side.read(...path);
  if ('value' in r) return r.value;
  throw new Unpriced(r.missing === 'absent' ? 'no-price' : 'unknown-at-plan', `${label} ${ATTR_MISSING[r.missing]}`);
}

function str(side: Side, label: string, ...path: (string | number)[]): string {
  const v = need(side, label, ...path);
  if (typeof v !== 'string') throw new Unpriced('no-price', `${label} is not a string`);
  return v;
}

function int(side: Side, label: string, ...path: (string | number)[]): number {
  const v = need(side, label, ...path);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Unpriced('no-price', `${label} is not a count`);
  return v;
}

const cents = (x: number): number => Math.round(x * 100);

/** How one side is priced, given the context of the whole plan. */
interface Pricing {
  lookup: PriceLookup;
  /** The location of the plan resource of `targetType` an id attribute (`server_id`) points at. */
  located(side: Side, attr: string, targetType: string): Read;
  notes: string[];
}

type Pricer = (side: Side, p: Pricing) => CostSide;

const normaliseRegion = (s: string): string => s.replace(/\s+/g, '').toLowerCase();

function covered(p: Pricing, location: string): string {
  const r = normaliseRegion(location);
  if (!p.lookup.covers(r)) {
    throw new Unpriced('no-price', `no prices for region ${r} in the price sheet (compline prices refresh --regions ${r})`);
  }
  return r;
}

const region = (side: Side, p: Pricing): string => covered(p, str(side, 'location', 'location'));

/** The region of the resource an id attribute points at (a node pool's cluster, a database's server). */
function regionOf(side: Side, p: Pricing, attr: string, targetType: string, what: string): string {
  const loc = p.located(side, attr, targetType);
  if ('value' in loc) return covered(p, String(loc.value));
  const why =
    loc.missing === 'absent' ? `its ${what} is not in the plan` : `its ${what}'s location is ${ATTR_MISSING[loc.missing]}`;
  throw new Unpriced(loc.missing === 'absent' ? 'no-price' : 'unknown-at-plan', `no region: ${why}`);
}

function line(what: string, sku: string, quantity: number, basis: string, price: Price): CostLine {
  return {
    what,
    sku,
    quantity,
    basis,
    unit_price: price.unit_price,
    unit: price.unit,
    monthly: cents(quantity * price.monthly) / 100,
  };
}

function side(regionName: string, lines: CostLine[]): CostSide {
  return { region: regionName, lines, monthly: lines.reduce((s, l) => s + cents(l.monthly), 0) / 100 };
}

function vmPrice(p: Pricing, r: string, size: string, os: Os, spot = false): Price {
  const price = p.lookup.vm(r, size, os, spot);
  if (!price) throw new Unpriced('no-price', `${size} (${os}${spot ? ', spot' : ''}) in ${r} is not in the price sheet`);
  return price;
}

/** A managed disk's tier: the smallest that holds its size. */
function diskTier(storageType: string, gib: number): { type: DiskStorageType; tier: string } {
  const tiers = DISK_TIERS[storageType as DiskStorageType];
  if (!tiers)
    throw new Unpriced(
      'no-price',
      `storage_account_type ${storageType} is not priced (the sheet holds Premium_LRS, StandardSSD_LRS, Standard_LRS)`,
    );
  const tier = tiers.find(([, max]) => gib <= max);
  if (!tier) throw new Unpriced('no-price', `a ${storageType} disk of ${gib} GiB is above the largest tier the sheet holds`);
  return { type: storageType as DiskStorageType, tier: tier[0] };
}

function diskLine(
  p: Pricing,
  r: string,
  what: string,
  storageType: string,
  gib: number,
  quantity: number,
  basis: string,
): CostLine {
  const { type, tier } = diskTier(storageType, gib);
  const price = p.lookup.disk(r, type, tier);
  if (!price) throw new Unpriced('no-price', `${tier} (${type}) in ${r} is not in the price sheet`);
  return line(what, `${tier} ${type}`, quantity, basis, price);
}

/** The OS disk of a VM or scale set instance when its size is in the plan; otherwise a note says it is left out. */
function osDisk(side: Side, p: Pricing, r: string, block: string, quantity: number, basis: string): CostLine[] {
  const type = side.read(block, 0, 'storage_account_type');
  const size = side.read(block, 0, 'disk_size_gb');
  if ('value' in type && 'value' in size && typeof type.value === 'string' && typeof size.value === 'number') {
    return [diskLine(p, r, 'os disk', type.value, size.value, quantity, basis)];
  }
  p.notes.push('os disk not priced: its size comes from the image unless os_disk.disk_size_gb is set');
  return [];
}

function virtualMachine(os: Os): Pricer {
  return (s, p) => {
    const r = region(s, p);
    const size = str(s, 'size', 'size');
    return side(r, [line('compute', size, 1, 'instance', vmPrice(p, r, size, os)), ...osDisk(s, p, r, 'os_disk', 1, 'instance')]);
  };
}

/** azurerm_virtual_machine (the legacy resource): the OS from its os profile block or OS disk. */
const legacyVirtualMachine: Pricer = (s, p) => {
  const r = region(s, p);
  const size = str(s, 'vm_size', 'vm_size');
  const windows = 'value' in s.read('os_profile_windows_config', 0);
  const linux = 'value' in s.read('os_profile_linux_config', 0);
  const osType = s.read('storage_os_disk', 0, 'os_type');
  const declared = 'value' in osType ? String(osType.value).toLowerCase() : null;
  const os: Os | null = windows || declared === 'windows' ? 'windows' : linux || declared === 'linux' ? 'linux' : null;
  if (!os)
    throw new Unpriced('unknown-at-plan', 'the OS is not stated (no os_profile_*_config block or storage_os_disk.os_type)');
  p.notes.push('os disk not priced: azurerm_virtual_machine sizes it from the image');
  return side(r, [line('compute', size, 1, 'instance', vmPrice(p, r, size, os))]);
};

function scaleSet(os: Os | 'orchestrated'): Pricer {
  return (s, p) => {
    const r = region(s, p);
    const size = os === 'orchestrated' ? str(s, 'sku_name', 'sku_name') : str(s, 'sku', 'sku');
    const instances = int(s, 'instances', 'instances');
    let family: Os = os === 'orchestrated' ? 'linux' : os;
    if (os === 'orchestrated') {
      if ('value' in s.read('os_profile', 0, 'windows_configuration', 0)) family = 'windows';
      else if (!('value' in s.read('os_profile', 0, 'linux_configuration', 0))) {
        throw new Unpriced(
          'unknown-at-plan',
          'the OS is not stated (no os_profile windows_configuration or linux_configuration)',
        );
      }
    }
    const spot = readString(s, 'priority') === 'Spot';
    return side(r, [
      line('compute', size, instances, 'instances', vmPrice(p, r, size, family, spot)),
      ...osDisk(s, p, r, 'os_disk', instances, 'instances'),
    ]);
  };
}

function readString(s: Side, ...path: (string | number)[]): string | null {
  const r = s.read(...path);
  return 'value' in r && typeof r.value === 'string' ? r.value : null;
}

function readBool(s: Side, ...names: string[]): boolean | null {
  for (const name of names) {
    const r = s.read(name);
    if ('value' in r && typeof r.value === 'boolean') return r.value;
    if ('missing' in r && r.missing !== 'absent') throw new Unpriced('unknown-at-plan', `${name} ${ATTR_MISSING[r.missing]}`);
  }
  return null;
}

/** Nodes a pool is priced for: node_count, or min_count under autoscaling (the floor it never goes below). */
function poolNodes(pool: Side): { count: number; basis: string } {
  const autoscaling = readBool(pool, 'auto_scaling_enabled', 'enable_auto_scaling');
  if (autoscaling) {
    const min = int(pool, 'min_count', 'min_count');
    const max = pool.read('max_count');
    const upTo = 'value' in max ? ` to max_count ${String(max.value)}` : '';
    return { count: min, basis: `min_count (autoscaling${upTo})` };
  }
  return { count: int(pool, 'node_count', 'node_count'), basis: 'node_count' };
}

const kubernetesCluster: Pricer = (s, p) => {
  const r = region(s, p);
  const pool = s.block('default_node_pool');
  if (!pool) {
    const r0 = s.read('default_node_pool');
    throw new Unpriced(
      'missing' in r0 && r0.missing !== 'absent' ? 'unknown-at-plan' : 'no-price',
      'default_node_pool not in the plan',
    );
  }
  const size = str(pool, 'default_node_pool.vm_size', 'vm_size');
  const nodes = poolNodes(pool);
  const lines = [line('default node pool', size, nodes.count, nodes.basis, vmPrice(p, r, size, 'linux'))];
  const tier = readString(s, 'sku_tier') ?? 'Free';
  if (tier === 'Standard' || tier === 'Premium') {
    const price = p.lookup.aksTier(r, tier);
    if (!price) throw new Unpriced('no-price', `the AKS ${tier} tier in ${r} is not in the price sheet`);
    lines.push(line('control plane', tier, 1, 'cluster', price));
  }
  p.notes.push('node OS disks not priced');
  return side(r, lines);
};

const kubernetesNodePool: Pricer = (s, p) => {
  const r = regionOf(s, p, 'kubernetes_cluster_id', 'azurerm_kubernetes_cluster', 'cluster');
  const size = str(s, 'vm_size', 'vm_size');
  const os: Os = (readString(s, 'os_type') ?? 'Linux').toLowerCase() === 'windows' ? 'windows' : 'linux';
  const spot = readString(s, 'priority') === 'Spot';
  const nodes = poolNodes(s);
  p.notes.push('node OS disks not priced');
  return side(r, [line(spot ? 'node pool (spot)' : 'node pool', size, nodes.count, nodes.basis, vmPrice(p, r, size, os, spot))]);
};

const managedDisk: Pricer = (s, p) => {
  const r = region(s, p);
  const type = str(s, 'storage_account_type', 'storage_account_type');
  const gib = int(s, 'disk_size_gb', 'disk_size_gb');
  return side(r, [diskLine(p, r, 'disk', type, gib, 1, 'disk')]);
};

const publicIp: Pricer = (s, p) => {
  const r = region(s, p);
  const sku = str(s, 'sku', 'sku');
  const allocation = str(s, 'allocation_method', 'allocation_method');
  const price = p.lookup.publicIp(r, sku, allocation);
  if (!price) throw new Unpriced('no-price', `a ${sku} ${allocation} public IP in ${r} is not in the price sheet`);
  return side(r, [line('public ip', `${sku} ${allocation}`, 1, 'address', price)]);
};

const VCORE_SKU = /^(GP|BC)_Gen5_(\d+)$/;

const mssqlDatabase: Pricer = (s, p) => {
  const sku = str(s, 'sku_name', 'sku_name');
  if ('value' in s.read('elastic_pool_id') || sku === 'ElasticPool') {
    throw new Unpriced('billed-elsewhere', 'billed with its elastic pool (azurerm_mssql_elasticpool is not priced)');
  }
  if (/^GP_S_/.test(sku))
    throw new Unpriced('usage-based', `serverless (${sku}) is billed per vCore-second used: usage-based, not priced`);
  // A database has no location of its own: it is its server's.
  const r = regionOf(s, p, 'server_id', 'azurerm_mssql_server', 'server');
  const vcore = VCORE_SKU.exec(sku);
  if (vcore) {
    const tier = vcore[1] as 'GP' | 'BC';
    const n = Number(vcore[2]);
    const compute = p.lookup.sqlVcore(r, tier);
    if (!compute) throw new Unpriced('no-price', `${sku} in ${r} is not in the price sheet`);
    const lines = [line('compute', sku, n, 'vCores', compute)];
    const size = s.read('max_size_gb');
    const storage = p.lookup.sqlStorage(r, tier);
    if ('value' in size && typeof size.value === 'number' && storage)
      lines.push(line('data storage', tier, size.value, 'max_size_gb', storage));
    else p.notes.push('data storage not priced: max_size_gb not in the plan');
    return side(r, lines);
  }
  const dtu = p.lookup.sqlDtu(r, sku);
  if (!dtu)
    throw new Unpriced(
      'no-price',
      `sku_name ${sku} in ${r} is not in the price sheet (priced: GP_Gen5_n, BC_Gen5_n, Basic, S0–S7)`,
    );
  return side(r, [line('database', sku, 1, 'database', dtu)]);
};

/** Priced azurerm types. */
const PRICERS: Record<string, Pricer> = {
  azurerm_linux_virtual_machine: virtualMachine('linux'),
  azurerm_windows_virtual_machine: virtualMachine('windows'),
  azurerm_virtual_machine: legacyVirtualMachine,
  azurerm_linux_virtual_machine_scale_set: scaleSet('linux'),
  azurerm_windows_virtual_machine_scale_set: scaleSet('windows'),
  azurerm_orchestrated_virtual_machine_scale_set: scaleSet('orchestrated'),
  azurerm_kubernetes_cluster: kubernetesCluster,
  azurerm_kubernetes_cluster_node_pool: kubernetesNodePool,
  azurerm_managed_disk: managedDisk,
  azurerm_mssql_database: mssqlDatabase,
  azurerm_public_ip: publicIp,
};

/** Types the gate prices, and storage accounts (usage-based): plan readers keep both sides of their updates. */
export const COSTED_TYPES: ReadonlySet<string> = new Set([...Object.keys(PRICERS), 'azurerm_storage_account']);

function storageNote(s: Side | null, lookup: PriceLookup): string {
  const base = 'not priced: billed by the capacity stored, which a plan does not hold';
  if (!s) return base;
  const tier = readString(s, 'account_tier');
  const replication = readString(s, 'account_replication_type');
  const access = readString(s, 'access_tier') ?? 'Hot';
  const loc = readString(s, 'location');
  if (tier !== 'Standard' || !replication || !loc) return base;
  const price = lookup.blobPerGb(normaliseRegion(loc), `${access} ${replication}`);
  return price ? `${base} (${access} ${replication} blob data: ${price.unit_price} ${lookup.sheet.currency} per GB-month)` : base;
}

function actionOf(actions: unknown): CostAction | null {
  if (!Array.isArray(actions)) return null;
  const has = (a: string) => actions.includes(a);
  if (has('delete') && has('create')) return 'replace';
  if (has('create')) return 'create';
  if (has('delete')) return 'delete';
  if (has('update')) return 'update';
  return null;
}

/** Address without instance keys: `module.a["x"].azurerm_x.y[0]` → `module.a.azurerm_x.y`. */
const unkeyed = (address: string): string => address.replace(/\[[^\]]*\]/g, '');
/** The module part of an address, with its keys: `module.a["x"].` (empty in the root module). */
const modulePrefix = (address: string, type: string): string => address.slice(0, address.lastIndexOf(`${type}.`));
/** The module instance and the resource without its own key: `module.a["x"].azurerm_x.y[0]` → `module.a["x"].azurerm_x.y`. */
const resourceKey = (address: string, type: string): string => {
  const prefix = modulePrefix(address, type);
  return prefix + unkeyed(address.slice(prefix.length));
};

export interface PlanCostOptions {
  budget?: number;
  /** `--unknown fail`: a cost unknown at plan time fails the budget as a missing price does. */
  unknownFails?: boolean;
}

/** The plan's monthly cost delta. `plan` is the parsed plan (its `before` sides kept for COSTED_TYPES updates). */
export function planCost(plan: unknown, lookup: PriceLookup, opts: PlanCostOptions = {}): PlanCost {
  const changes = isObj(plan) && Array.isArray(plan.resource_changes) ? (plan.resource_changes as unknown[]) : [];
  const items: CostItem[] = [];
  const notPriced: NotPriced[] = [];
  const unpricedTypes: Record<string, number> = {};

  // Where clusters and SQL servers are, for node pools and databases that do not say: by id, and by module
  // instance + resource (`module.t["a"].azurerm_kubernetes_cluster.main`, its own count / for_each key left out).
  const locationById = new Map<string, string>();
  const byResource = new Map<string, string[]>();
  for (const rc of changes) {
    if (!isObj(rc) || typeof rc.address !== 'string' || typeof rc.type !== 'string' || !isObj(rc.change)) continue;
    const values = isObj(rc.change.after) ? rc.change.after : isObj(rc.change.before) ? rc.change.before : null;
    const loc = values?.location;
    if (typeof loc !== 'string' || !loc) continue;
    if (typeof values?.id === 'string') locationById.set(values.id.toLowerCase(), loc);
    const key = resourceKey(rc.address, rc.type);
    const found = byResource.get(key);
    if (found) found.push(loc);
    else byResource.set(key, [loc]);
  }
  const configuration = isObj(plan) ? plan.configuration : undefined;

  /** The location of the resource an id attribute points at: by known id, else by the configuration's reference. */
  const referencedLocation = (address: string, type: string, side: Side, attr: string, targetType: string): Read => {
    const id = side.read(attr);
    if ('value' in id && typeof id.value === 'string') {
      const loc = locationById.get(id.value.toLowerCase());
      return loc ? { value: loc } : { missing: 'absent' };
    }
    const target = configReference(configuration, address, type, attr, targetType);
    if (!target) return { missing: 'absent' };
    // Several instances of the target (count / for_each) are one region only if they all agree.
    const found = new Set(byResource.get(modulePrefix(address, type) + target) ?? []);
    return found.size === 1 ? { value: [...found][0]! } : { missing: found.size ? 'unknown' : 'absent' };
  };

  for (const rc of changes) {
    if (!isObj(rc) || typeof rc.type !== 'string' || typeof rc.address !== 'string' || !isObj(rc.change)) continue;
    if (rc.mode === 'data' || rc.deposed !== undefined || !rc.type.startsWith('azurerm_')) continue;
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    const { address, type, change } = rc as { address: string; type: string; change: Obj };
    const before =
      action !== 'create' && isObj(change.before) ? new Side(change.before, undefined, change.before_sensitive) : null;
    const after =
      action !== 'delete' && isObj(change.after) ? new Side(change.after, change.after_unknown, change.after_sensitive) : null;
    if (type === 'azurerm_storage_account') {
      notPriced.push({ address, type, action, kind: 'usage-based', reason: storageNote(after ?? before, lookup) });
      continue;
    }
    const pricer = PRICERS[type];
    if (!pricer) {
      unpricedTypes[type] = (unpricedTypes[type] ?? 0) + 1;
      continue;
    }
    const notes: string[] = [];
    const pricing: Pricing = {
      lookup,
      notes,
      located: (side, attr, targetType) => referencedLocation(address, type, side, attr, targetType),
    };
    const price = (s: Side | null, which: string): CostSide | null => {
      if (!s) {
        if ((which === 'before' && action !== 'create') || (which === 'after' && action !== 'delete')) {
          throw new Unpriced('unknown-at-plan', `the plan holds no ${which} values`);
        }
        return null;
      }
      return pricer(s, pricing);
    };
    try {
      const b = price(before, 'before');
      const a = price(after, 'after');
      const delta = cents(a?.monthly ?? 0) - cents(b?.monthly ?? 0);
      items.push({ address, type, action, before: b, after: a, monthly_delta: delta / 100, notes: [...new Set(notes)] });
    } catch (e) {
      if (!(e instanceof Unpriced)) throw e;
      notPriced.push({ address, type, action, kind: e.kind, reason: e.message });
    }
  }
  const monthlyDelta = items.reduce((s, i) => s + cents(i.monthly_delta), 0) / 100;
  const { sheet } = lookup;
  return {
    price_sheet: {
      date: sheet.date,
      currency: sheet.currency,
      origin: sheet.origin,
      source: sheet.source,
      file: sheet.bundled ? null : sheet.file,
    },
    hours_per_month: HOURS_PER_MONTH,
    monthly_delta: monthlyDelta,
    items,
    not_priced: notPriced,
    unpriced_types: unpricedTypes,
    budget:
      opts.budget === undefined
        ? null
        : budgetVerdict(opts.budget, monthlyDelta, notPriced, sheet.currency, opts.unknownFails ?? false),
  };
}

function budgetVerdict(
  limit: number,
  delta: number,
  notPriced: readonly NotPriced[],
  currency: string,
  unknownFails: boolean,
): NonNullable<PlanCost['budget']> {
  // Only what could raise the cost makes the verdict unknown: an unpriced delete can only lower it.
  const raising = notPriced.filter((n) => n.action !== 'delete' && (n.kind === 'no-price' || n.kind === 'unknown-at-plan'));
  const amount = (x: number) => `${x.toFixed(2)} ${currency}`;
  if (delta > limit) {
    return {
      limit,
      status: 'exceeded',
      blocking: true,
      reason: `monthly cost delta ${amount(delta)} exceeds the budget of ${amount(limit)}`,
    };
  }
  const missing = raising.filter((n) => n.kind === 'no-price');
  const unknown = raising.filter((n) => n.kind === 'unknown-at-plan');
  if (missing.length || unknown.length) {
    const first = missing[0] ?? unknown[0]!;
    return {
      limit,
      status: 'unknown',
      blocking: missing.length > 0 || unknownFails,
      reason: `${missing.length + unknown.length} resource(s) that may raise the cost have no price (first: ${first.address}: ${first.reason}); priced delta ${amount(delta)} of a budget of ${amount(limit)}`,
    };
  }
  return {
    limit,
    status: 'within',
    blocking: false,
    reason: `monthly cost delta ${amount(delta)} is within the budget of ${amount(limit)}`,
  };
}

type ModuleConfig = { resources?: unknown[]; module_calls?: Record<string, { module?: ModuleConfig }> };

/**
 * `azurerm_kubernetes_cluster.main` when the configuration of `address` sets `attr` from a reference to a resource
 * of `targetType` (`kubernetes_cluster_id = azurerm_kubernetes_cluster.main.id`), in the same module.
 */
function configReference(configuration: unknown, address: string, type: string, attr: string, targetType: string): string | null {
  if (!isObj(configuration)) return null;
  let mod = configuration.root_module as ModuleConfig | undefined;
  const steps = unkeyed(modulePrefix(address, type)).split('.').filter(Boolean);
  for (let i = 0; i + 1 < steps.length; i += 2) mod = mod?.module_calls?.[steps[i + 1]!]?.module;
  const local = unkeyed(address).slice(unkeyed(modulePrefix(address, type)).length);
  const resource = mod?.resources?.find((r) => isObj(r) && r.address === local);
  const expressions = isObj(resource) && isObj(resource.expressions) ? resource.expressions : undefined;
  const references = isObj(expressions?.[attr]) ? (expressions[attr] as Obj).references : undefined;
  if (!Array.isArray(references)) return null;
  const target = references.find(
    (r): r is string => typeof r === 'string' && r.startsWith(`${targetType}.`) && !r.endsWith('.id'),
  );
  return target ?? null;
}
