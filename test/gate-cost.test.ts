// The plan's monthly cost delta: each priced type over plans built like Terraform writes them, at the bundled sheet.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../src/collectors/terraform-plan/index.js';
import { PriceLookup } from '../src/finops/prices/lookup.js';
import { COSTED_TYPES, type PlanCost, planCost } from '../src/finops/prices/plan-cost.js';
import { loadSheet } from '../src/finops/prices/sheet.js';
import type { PlanFixture } from './support/fixture-store.js';
import { buildPlan, ref, UNKNOWN } from './support/plan-builder.js';
import { itReal, REAL_DIR } from './support/real-data.js';

let lookup: PriceLookup;
beforeAll(async () => {
  lookup = new PriceLookup(await loadSheet());
});

// Bundled-sheet list prices the expectations are written from (USD; 730 h a month).
const D2S_V5_EASTUS = 0.096;
const D2S_V5_WESTEUROPE = 0.1152;
const D4S_V5_EASTUS = 0.192;
const month = (hourly: number, n = 1) => Math.round(hourly * 730 * n * 100) / 100;

type Plan = Record<string, unknown> & { resource_changes: { address: string; change: Record<string, unknown> }[] };
const plan = (resources: PlanFixture[]): Plan => buildPlan(resources).plan as Plan;
const cost = (resources: PlanFixture[] | Plan, opts = {}): PlanCost =>
  planCost(Array.isArray(resources) ? plan(resources) : resources, lookup, opts);
const item = (c: PlanCost, address: string) => c.items.find((i) => i.address === address);

/** An update: the plan's before side replaced, as Terraform writes a change from `before` to the built values. */
function updated(p: Plan, address: string, before: Record<string, unknown>): Plan {
  const rc = p.resource_changes.find((r) => r.address === address)!;
  rc.change.actions = ['update'];
  rc.change.before = before;
  return p;
}

const linuxVm = (name: string, values: Record<string, unknown> = {}): PlanFixture => ({
  type: 'azurerm_linux_virtual_machine',
  name,
  values: {
    name,
    location: 'eastus',
    size: 'Standard_D2s_v5',
    os_disk: [{ caching: 'ReadWrite', storage_account_type: 'Premium_LRS' }],
    ...values,
  },
});

describe('plan cost delta', () => {
  it('prices a created VM at its size, OS and region, 730 hours a month, and says the OS disk is left out', () => {
    const c = cost([
      linuxVm('app'),
      { type: 'azurerm_windows_virtual_machine', name: 'win', values: { location: 'West Europe', size: 'Standard_D2s_v5' } },
    ]);
    const app = item(c, 'azurerm_linux_virtual_machine.app')!;
    expect(app).toMatchObject({ action: 'create', before: null, monthly_delta: month(D2S_V5_EASTUS) });
    expect(app.after?.lines).toEqual([
      {
        what: 'compute',
        sku: 'Standard_D2s_v5',
        quantity: 1,
        basis: 'instance',
        unit_price: D2S_V5_EASTUS,
        unit: '1 Hour',
        monthly: 70.08,
      },
    ]);
    expect(app.notes).toEqual(['os disk not priced: its size comes from the image unless os_disk.disk_size_gb is set']);
    const win = item(c, 'azurerm_windows_virtual_machine.win')!;
    // "West Europe" is westeurope; Windows carries its licence on top of the Linux rate.
    expect(win.after?.region).toBe('westeurope');
    expect(win.monthly_delta).toBeGreaterThan(month(D2S_V5_WESTEUROPE));
    expect(c.monthly_delta).toBe(Math.round((app.monthly_delta + win.monthly_delta) * 100) / 100);
    expect(c.price_sheet).toMatchObject({ date: '2026-12-05', currency: 'USD', origin: 'bundled', file: null });
  });

  it('prices an OS disk whose size the plan sets, at the smallest tier holding it', () => {
    const c = cost([linuxVm('app', { os_disk: [{ storage_account_type: 'Premium_LRS', disk_size_gb: 100 }] })]);
    const lines = item(c, 'azurerm_linux_virtual_machine.app')!.after!.lines;
    expect(lines[1]).toMatchObject({ what: 'os disk', sku: 'P10 Premium_LRS', quantity: 1, unit: '1/Month', monthly: 19.71 });
  });

  it('deletes subtract, updates are after − before, and a change that keeps the size costs nothing more', () => {
    const p = plan([
      linuxVm('gone', { size: 'Standard_D4s_v5' }),
      linuxVm('grown', { size: 'Standard_D4s_v5' }),
      linuxVm('tagged'),
    ]);
    p.resource_changes[0]!.change.actions = ['delete'];
    p.resource_changes[0]!.change.before = p.resource_changes[0]!.change.after;
    p.resource_changes[0]!.change.after = null;
    updated(p, 'azurerm_linux_virtual_machine.grown', { ...linuxVm('grown').values });
    updated(p, 'azurerm_linux_virtual_machine.tagged', { ...linuxVm('tagged').values, tags: { old: 'x' } });
    const c = cost(p);
    expect(item(c, 'azurerm_linux_virtual_machine.gone')).toMatchObject({
      action: 'delete',
      after: null,
      monthly_delta: -month(D4S_V5_EASTUS),
    });
    expect(item(c, 'azurerm_linux_virtual_machine.grown')).toMatchObject({
      action: 'update',
      monthly_delta: month(D4S_V5_EASTUS) - month(D2S_V5_EASTUS),
    });
    expect(item(c, 'azurerm_linux_virtual_machine.tagged')?.monthly_delta).toBe(0);
    expect(c.monthly_delta).toBe(-month(D2S_V5_EASTUS));
  });

  it('a replace is after − before', () => {
    const p = updated(plan([linuxVm('r', { size: 'Standard_D4s_v5' })]), 'azurerm_linux_virtual_machine.r', linuxVm('r').values);
    p.resource_changes[0]!.change.actions = ['delete', 'create'];
    expect(item(cost(p), 'azurerm_linux_virtual_machine.r')).toMatchObject({ action: 'replace', monthly_delta: 70.08 });
  });

  it('prices scale sets as instances × size', () => {
    const c = cost([
      {
        type: 'azurerm_linux_virtual_machine_scale_set',
        name: 'ss',
        values: { location: 'eastus', sku: 'Standard_D2s_v5', instances: 3 },
      },
    ]);
    expect(item(c, 'azurerm_linux_virtual_machine_scale_set.ss')?.after?.lines[0]).toMatchObject({
      quantity: 3,
      basis: 'instances',
      monthly: month(D2S_V5_EASTUS, 3),
    });
  });

  it('prices AKS node pools by node_count, or by min_count under autoscaling, and says which', () => {
    const c = cost([
      {
        type: 'azurerm_kubernetes_cluster',
        name: 'aks',
        values: {
          location: 'eastus',
          sku_tier: 'Standard',
          default_node_pool: [{ name: 'system', vm_size: 'Standard_D2s_v5', node_count: 3 }],
        },
      },
      {
        type: 'azurerm_kubernetes_cluster_node_pool',
        name: 'user',
        values: {
          kubernetes_cluster_id: ref('azurerm_kubernetes_cluster.aks'),
          vm_size: 'Standard_D4s_v5',
          auto_scaling_enabled: true,
          min_count: 2,
          max_count: 10,
          node_count: 5,
        },
      },
    ]);
    const aks = item(c, 'azurerm_kubernetes_cluster.aks')!;
    expect(aks.after?.lines.map((l) => [l.what, l.quantity, l.basis, l.monthly])).toEqual([
      ['default node pool', 3, 'node_count', month(D2S_V5_EASTUS, 3)],
      ['control plane', 1, 'cluster', 73],
    ]);
    const pool = item(c, 'azurerm_kubernetes_cluster_node_pool.user')!;
    // Its region is its cluster's, found through the configuration's reference.
    expect(pool.after).toMatchObject({ region: 'eastus' });
    expect(pool.after?.lines[0]).toMatchObject({
      quantity: 2,
      basis: 'min_count (autoscaling to max_count 10)',
      monthly: month(D4S_V5_EASTUS, 2),
    });
  });

  it('finds a node pool’s cluster in its own module instance when a module is instantiated for each tenant', () => {
    const built = plan([
      {
        type: 'azurerm_kubernetes_cluster',
        name: 'main',
        values: { location: 'westeurope', default_node_pool: [{ vm_size: 'Standard_D2s_v5', node_count: 1 }] },
      },
      {
        type: 'azurerm_kubernetes_cluster_node_pool',
        name: 'user',
        values: { kubernetes_cluster_id: ref('azurerm_kubernetes_cluster.main'), vm_size: 'Standard_D2s_v5', node_count: 1 },
      },
    ]);
    const config = (built.configuration as { root_module: { resources: unknown[] } }).root_module;
    // The same two resources in module.tenant["a"] (westeurope) and module.tenant["b"] (eastus), as for_each writes them.
    built.configuration = { root_module: { module_calls: { tenant: { module: { resources: config.resources } } } } };
    built.resource_changes = (['a', 'b'] as const).flatMap((key) =>
      built.resource_changes.map((rc) => {
        const copy = structuredClone(rc);
        copy.address = `module.tenant["${key}"].${rc.address}`;
        const after = copy.change.after as Record<string, unknown>;
        if (key === 'b' && after.location) after.location = 'eastus';
        return copy;
      }),
    );
    const c = cost(built);
    expect(
      c.items.filter((i) => i.type === 'azurerm_kubernetes_cluster_node_pool').map((i) => [i.address, i.after?.region]),
    ).toEqual([
      ['module.tenant["a"].azurerm_kubernetes_cluster_node_pool.user', 'westeurope'],
      ['module.tenant["b"].azurerm_kubernetes_cluster_node_pool.user', 'eastus'],
    ]);
  });

  it('prices managed disks by the tier their size falls in', () => {
    const disk = (name: string, type: string, gb: number): PlanFixture => ({
      type: 'azurerm_managed_disk',
      name,
      values: { location: 'eastus', storage_account_type: type, disk_size_gb: gb, create_option: 'Empty' },
    });
    const c = cost([
      disk('p', 'Premium_LRS', 128),
      disk('e', 'StandardSSD_LRS', 129),
      disk('s', 'Standard_LRS', 32),
      disk('u', 'UltraSSD_LRS', 64),
    ]);
    expect(c.items.map((i) => [i.address, i.after?.lines[0]?.sku, i.monthly_delta])).toEqual([
      ['azurerm_managed_disk.p', 'P10 Premium_LRS', 19.71],
      ['azurerm_managed_disk.e', 'E15 StandardSSD_LRS', 19.2],
      ['azurerm_managed_disk.s', 'S4 Standard_LRS', 1.54],
    ]);
    expect(c.not_priced).toEqual([
      expect.objectContaining({
        address: 'azurerm_managed_disk.u',
        kind: 'no-price',
        reason: expect.stringContaining('UltraSSD_LRS'),
      }),
    ]);
  });

  it('says storage accounts are usage-based, not priced, rather than 0', () => {
    const c = cost([
      {
        type: 'azurerm_storage_account',
        name: 'sa',
        values: { location: 'eastus', account_tier: 'Standard', account_replication_type: 'GRS' },
      },
    ]);
    expect(c.items).toEqual([]);
    expect(c.not_priced).toEqual([
      {
        address: 'azurerm_storage_account.sa',
        type: 'azurerm_storage_account',
        action: 'create',
        kind: 'usage-based',
        reason:
          'not priced: billed by the capacity stored, which a plan does not hold (Hot GRS blob data: 0.0368 USD per GB-month)',
      },
    ]);
  });

  it('prices SQL databases by sku_name in their server’s region: vCores with storage, DTU tiers; serverless is usage-based', () => {
    const server = { type: 'azurerm_mssql_server', name: 'sql', values: { location: 'westeurope', version: '12.0' } };
    const db = (name: string, values: Record<string, unknown>): PlanFixture => ({
      type: 'azurerm_mssql_database',
      name,
      values: { server_id: ref('azurerm_mssql_server.sql'), ...values },
    });
    const c = cost([
      server,
      db('gp', { sku_name: 'GP_Gen5_2', max_size_gb: 32 }),
      db('s0', { sku_name: 'S0' }),
      db('sv', { sku_name: 'GP_S_Gen5_2' }),
    ]);
    const gp = item(c, 'azurerm_mssql_database.gp')!;
    expect(gp.after?.region).toBe('westeurope');
    expect(gp.after?.lines.map((l) => [l.what, l.quantity, l.basis])).toEqual([
      ['compute', 2, 'vCores'],
      ['data storage', 32, 'max_size_gb'],
    ]);
    expect(item(c, 'azurerm_mssql_database.s0')?.after?.lines[0]).toMatchObject({ sku: 'S0', unit: '1/Day' });
    expect(c.not_priced.map((n) => [n.address, n.kind])).toEqual([['azurerm_mssql_database.sv', 'usage-based']]);
  });

  it('prices public IPs by SKU and allocation', () => {
    const c = cost([
      { type: 'azurerm_public_ip', name: 'pip', values: { location: 'eastus', sku: 'Standard', allocation_method: 'Static' } },
    ]);
    expect(item(c, 'azurerm_public_ip.pip')?.monthly_delta).toBe(3.65);
  });

  it('names what it cannot price and never counts it as 0: unknown values, regions and sizes not in the sheet, unpriced types', () => {
    const c = cost([
      linuxVm('later', { location: UNKNOWN }),
      linuxVm('far', { location: 'australiaeast' }),
      linuxVm('big', { size: 'Standard_M128s' }),
      { type: 'azurerm_key_vault', name: 'kv', values: { location: 'eastus' } },
      { type: 'azurerm_key_vault', name: 'kv2', values: { location: 'eastus' } },
      { type: 'random_id', name: 'r', values: {} },
    ]);
    expect(c.items).toEqual([]);
    expect(c.monthly_delta).toBe(0);
    expect(c.not_priced.map((n) => [n.address, n.kind, n.reason])).toEqual([
      ['azurerm_linux_virtual_machine.later', 'unknown-at-plan', 'location known only after apply'],
      [
        'azurerm_linux_virtual_machine.far',
        'no-price',
        'no prices for region australiaeast in the price sheet (compline prices refresh --regions australiaeast)',
      ],
      ['azurerm_linux_virtual_machine.big', 'no-price', 'Standard_M128s (linux) in eastus is not in the price sheet'],
    ]);
    // Only azurerm types are Azure cost; random_id is neither priced nor named.
    expect(c.unpriced_types).toEqual({ azurerm_key_vault: 2 });
  });

  it('a value marked sensitive is unknown at plan time, as one known only after apply is', () => {
    const c = cost([{ ...linuxVm('s'), sensitive: ['size'] }]);
    expect(c.not_priced[0]).toMatchObject({ kind: 'unknown-at-plan', reason: 'size marked sensitive' });
  });

  it('judges a budget: within, exceeded, or unknown when a resource that may raise the cost has no price', () => {
    const over = cost([linuxVm('a')], { budget: 50 }).budget;
    expect(over).toMatchObject({ status: 'exceeded', blocking: true, limit: 50 });
    expect(over?.reason).toBe('monthly cost delta 70.08 USD exceeds the budget of 50.00 USD');
    expect(cost([linuxVm('a')], { budget: 70.08 }).budget).toMatchObject({ status: 'within', blocking: false });
    // A size the sheet lacks could be any amount: the budget cannot pass.
    expect(cost([linuxVm('a'), linuxVm('m', { size: 'Standard_M128s' })], { budget: 1000 }).budget).toMatchObject({
      status: 'unknown',
      blocking: true,
    });
    // A value known only after apply follows --unknown: warn by default, fail when asked.
    const later = [linuxVm('a'), linuxVm('l', { location: UNKNOWN })];
    expect(cost(later, { budget: 1000 }).budget).toMatchObject({ status: 'unknown', blocking: false });
    expect(cost(later, { budget: 1000, unknownFails: true }).budget).toMatchObject({ status: 'unknown', blocking: true });
    // Usage-based resources and unpriced types are named beside the budget, not held against it.
    const sa = { type: 'azurerm_storage_account', name: 'sa', values: { location: 'eastus' } };
    expect(cost([linuxVm('a'), sa], { budget: 100 }).budget).toMatchObject({ status: 'within', blocking: false });
  });
});

describe('reading a plan against existing state', () => {
  it('keeps the before side of priced updates that the lean reader otherwise leaves out', async () => {
    const p = plan([
      linuxVm('vm', { size: 'Standard_D4s_v5' }),
      { type: 'azurerm_key_vault', name: 'kv', values: { location: 'eastus' } },
    ]);
    updated(p, 'azurerm_linux_virtual_machine.vm', linuxVm('vm').values);
    updated(p, 'azurerm_key_vault.kv', { location: 'eastus', tags: {} });
    p.prior_state = { format_version: '1.0', values: { root_module: {} } };
    const path = join(mkdtempSync(join(tmpdir(), 'compline-cost-')), 'plan.json');
    writeFileSync(path, JSON.stringify(p));
    const read = (await readPlan(path, { keepBefore: (t) => COSTED_TYPES.has(t) })) as Plan;
    // The lean reader ran (prior_state dropped) and kept only the priced type's before side.
    expect(read.prior_state).toBeUndefined();
    const before = (address: string) => read.resource_changes.find((r) => r.address === address)?.change.before;
    expect(before('azurerm_linux_virtual_machine.vm')).toMatchObject({ size: 'Standard_D2s_v5' });
    expect(before('azurerm_key_vault.kv')).toBeUndefined();
    expect(item(planCost(read, lookup), 'azurerm_linux_virtual_machine.vm')?.monthly_delta).toBe(70.08);
  });
});

const NSG_PLAN = 'a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json';

describe('a real Terraform 0.12 plan', () => {
  itReal([NSG_PLAN], 'prices legacy azurerm_virtual_machine by its OS profile once its location is known', () => {
    const real = JSON.parse(readFileSync(REAL_DIR + NSG_PLAN, 'utf8')) as Plan;
    // The plan reads its location from a data source at apply; as if the resource group were already known:
    for (const rc of real.resource_changes) {
      const after = rc.change.after as Record<string, unknown> | null;
      const unknown = rc.change.after_unknown as Record<string, unknown> | undefined;
      if (after && unknown?.location === true) {
        after.location = 'northeurope';
        delete unknown.location;
      }
    }
    const c = cost(real);
    expect(c.items.map((i) => [i.address, i.after?.lines.map((l) => `${l.what} ${l.sku}`), i.after?.region])).toEqual([
      ['module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]', ['compute Standard_D2s_v3'], 'northeurope'],
      ['module.windowsservers-pass.azurerm_public_ip.vm[0]', ['public ip Basic Dynamic'], 'northeurope'],
      ['module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]', ['compute Standard_D2s_v3'], 'northeurope'],
    ]);
    const [linux, , windows] = c.items;
    expect(windows!.monthly_delta).toBeGreaterThan(linux!.monthly_delta);
    expect(linux!.notes).toEqual(['os disk not priced: azurerm_virtual_machine sizes it from the image']);
    expect(c.not_priced).toEqual([]);
  });
});
