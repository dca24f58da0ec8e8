// One realistic gate result over a small plan: every status, a waiver, an expired waiver, hostile strings.
import type { Waiver } from '../../../src/config.js';
import type { CheckMeta, Severity } from '../../../src/model.js';
import { GATE_SCHEMA_VERSION, type GateFinding, type GateResult } from '../../../src/reports/gate/gate-result.js';

/** Evidence rows stay in the JSON output; the other formats print verdicts only. */
export const EVIDENCE_MARKER = 'evidence-row-marker';

/** Markup-significant characters and a BEL control character, as a reason or address could carry them. */
export const HOSTILE = `"vault <prod> & 'main' | \`x\`\u0007"`;

function check(id: string, severity: Severity, extra: Partial<CheckMeta> = {}): CheckMeta {
  return {
    id,
    title: `Title of ${id}`,
    severity,
    tables: ['resources'],
    reads: [],
    requirements: {},
    params: {},
    remediation: {},
    dir: `src/checks/pci/${id}`,
    sql: 'select 1',
    ...extra,
  };
}

export const CHECKS: CheckMeta[] = [
  check('kv-purge-protection', 'high', {
    title: 'Key vaults have purge protection enabled',
    description: 'Without purge protection a soft-deleted vault can be purged at once.',
    requirements: { 'pci-dss-4.0.1': ['3.6.1', '3.7.1'], 'sox-itgc': ['ITGC-CO-02'] },
    remediation: {
      portal: 'Key vault → Properties → Purge protection → Enable purge protection.',
      cli: 'az keyvault update --name <vault> --resource-group <rg> --enable-purge-protection true',
      terraform: 'resource "azurerm_key_vault" "this" {\n  purge_protection_enabled = true\n}\n',
    },
  }),
  check('storage-https-only', 'high', {
    title: 'Storage accounts accept only HTTPS traffic',
    requirements: { 'pci-dss-4.0.1': ['4.2.1'] },
    remediation: { terraform: 'https_traffic_only_enabled = true' },
  }),
  check('storage-min-tls', 'medium', { requirements: { 'pci-dss-4.0.1': ['4.2.1'] } }),
  check('storage-no-public-blob-access', 'critical', { requirements: { 'pci-dss-4.0.1': ['1.4.1'] } }),
  check('aks-monitoring-addon', 'low', { requirements: { 'sox-itgc': ['ITGC-CO-01'] } }),
];

export const ACTIVE_WAIVER: Waiver = {
  id: 'W-KV-1',
  check: 'kv-purge-protection',
  resource: 'azurerm_key_vault.legacy',
  tenant: 't1',
  reason: 'Vault is decommissioned in Q1 <see CHG-2002>',
  approver: 'risk@bank.example',
  ticket: 'CHG-2002',
  expires: '2026-12-31',
};

export const EXPIRED_WAIVER: Waiver = {
  id: 'W-TLS-OLD',
  check: 'storage-min-tls',
  resource: 'azurerm_storage_account.*',
  reason: 'Legacy clients until migration',
  approver: 'ciso@bank.example',
  ticket: 'CHG-1001',
  expires: '2025-06-30',
};

function finding(
  check_id: string,
  address: string | null,
  status: GateFinding['status'],
  severity: Severity,
  reason: string,
  extra: Partial<GateFinding> = {},
): GateFinding {
  const meta = CHECKS.find((c) => c.id === check_id);
  return {
    check_id,
    resource_id: address
      ? `plan://${address}`
      : '/subscriptions/0000/resourcegroups/rg-t1-prod/providers/microsoft.keyvault/vaults/kv-live',
    tenant_id: 't1',
    status,
    severity,
    reason,
    evidence: { rows: [{ id: EVIDENCE_MARKER }] },
    waiver_id: null,
    plan_address: address,
    title: meta?.title ?? `Title of ${check_id}`,
    requirements: meta?.requirements ?? {},
    address,
    blocking: false,
    location: null,
    ...extra,
  };
}

/** Sorted as the gate sorts: blocking first, then severity (worst first), check id, address. */
export const FINDINGS: GateFinding[] = [
  finding(
    'storage-no-public-blob-access',
    'azurerm_storage_account.logs',
    'fail',
    'critical',
    'Anonymous blob access is allowed',
    {
      blocking: true,
      location: { file: 'infra/storage.tf', line: 7 },
    },
  ),
  finding('kv-purge-protection', 'azurerm_key_vault.main', 'fail', 'high', `Purge protection is off on ${HOSTILE}`, {
    blocking: true,
  }),
  finding(
    'storage-https-only',
    'azurerm_storage_account.data',
    'unknown',
    'high',
    'supportsHttpsTrafficOnly is known only after apply',
    {
      blocking: true,
    },
  ),
  finding('kv-purge-protection', 'azurerm_key_vault.legacy', 'waived', 'high', 'Purge protection is off', {
    waiver_id: 'W-KV-1',
  }),
  finding('kv-purge-protection', null, 'pass', 'high', 'Purge protection is on'),
  finding('storage-https-only', 'azurerm_storage_account.logs', 'pass', 'high', 'HTTPS only'),
  finding('storage-min-tls', 'azurerm_storage_account.data', 'error', 'medium', 'minimumTlsVersion is absent'),
  finding('storage-min-tls', 'azurerm_storage_account.this["logs|eu"]', 'fail', 'medium', 'TLS 1.0 is allowed'),
  finding('aks-monitoring-addon', 'azurerm_kubernetes_cluster.main', 'pass', 'low', 'Monitoring add-on is on'),
  finding('legacy-tagging', 'azurerm_resource_group.main', 'fail', 'low', 'CostCenter tag is missing'),
];

/** A plan's cost: one priced VM, a storage account (usage-based), a hostile address without a price, an unpriced type. */
export const COST: GateResult['cost'] = {
  price_sheet: {
    date: '2026-12-05',
    currency: 'USD',
    origin: 'bundled',
    source: 'https://prices.azure.com/api/retail/prices',
    file: null,
  },
  hours_per_month: 730,
  monthly_delta: 70.08,
  items: [
    {
      address: 'azurerm_linux_virtual_machine.app',
      type: 'azurerm_linux_virtual_machine',
      action: 'create',
      before: null,
      after: {
        region: 'eastus',
        monthly: 70.08,
        lines: [
          {
            what: 'compute',
            sku: 'Standard_D2s_v5',
            quantity: 1,
            basis: 'instance',
            unit_price: 0.096,
            unit: '1 Hour',
            monthly: 70.08,
          },
        ],
      },
      monthly_delta: 70.08,
      notes: ['os disk not priced: its size comes from the image unless os_disk.disk_size_gb is set'],
    },
  ],
  not_priced: [
    {
      address: 'azurerm_storage_account.logs',
      type: 'azurerm_storage_account',
      action: 'create',
      kind: 'usage-based',
      reason: 'not priced: billed by the capacity stored, which a plan does not hold',
    },
    {
      address: `azurerm_managed_disk.${HOSTILE}`,
      type: 'azurerm_managed_disk',
      action: 'create',
      kind: 'no-price',
      reason: HOSTILE,
    },
  ],
  unpriced_types: { azurerm_key_vault: 2 },
  budget: null,
};

export function gateResult(overrides: Partial<GateResult> = {}): GateResult {
  return {
    schema_version: GATE_SCHEMA_VERSION,
    tool: { name: 'compline', version: '0.1.0' },
    plan: {
      label: 'infra/prod plan.json',
      format_version: '1.2',
      terraform_version: '1.9.8',
      resources: { total: 14, azurerm: 12, evaluated: 9, unmapped: { azurerm_foo_bar: 2 } },
    },
    source: {
      root: '/work/repo',
      module_dir: 'infra',
      plan: 'infra/prod plan.json',
      plan_path: '/work/repo/infra/prod plan.json',
    },
    tenant: 't1',
    frameworks: ['pci-dss-4.0.1', 'sox-itgc'],
    fail_on: 'high',
    unknown_policy: 'fail',
    summary: { pass: 3, fail: 4, error: 1, waived: 1, unknown: 1, blocking: 3 },
    findings: FINDINGS,
    waivers: { active: [ACTIVE_WAIVER], expired: [{ waiver: EXPIRED_WAIVER, matched: 1 }] },
    cost: COST,
    warnings: ['2 azurerm resources of types the gate cannot map yet: azurerm_foo_bar (2)', `odd plan note ${HOSTILE}`],
    exit_code: 1,
    ...overrides,
  };
}
