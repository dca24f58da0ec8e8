// The result of `compline gate plan.json`: one document every gate renderer reads, and its JSON Schema.
import type { Waiver } from '../../config.js';
import type { PlanCost } from '../../finops/prices/plan-cost.js';
import { type Finding, type Remediation, SEVERITIES, type Severity } from '../../model.js';

export const GATE_SCHEMA_VERSION = 1;

export interface GateFinding extends Finding {
  title: string;
  requirements: Record<string, string[]>;
  /** Terraform address (= plan_address); null when the finding is not tied to a plan resource. */
  address: string | null;
  /** Counts toward exit 1: at or above fail-on, or unknown under the `fail` unknown policy. */
  blocking: boolean;
  /** The resource's `resource` block: file relative to source.root, 1-based line; null where none was found. */
  location: { file: string; line: number } | null;
}

export interface GateResult {
  schema_version: typeof GATE_SCHEMA_VERSION;
  tool: { name: 'compline'; version: string };
  plan: {
    label: string;
    format_version: string;
    terraform_version: string | null;
    resources: { total: number; azurerm: number; evaluated: number; unmapped: Record<string, number> };
  };
  /** Where the Terraform sources were looked for; file paths of findings are relative to `root`. */
  source: {
    /** Absolute folder: the repository root holding the sources, else the root module's folder. */
    root: string;
    /** The root module's folder, relative to root ('' for root itself). */
    module_dir: string;
    /** The plan file relative to root; null for stdin, a pipe, or a plan outside root. */
    plan: string | null;
    /** The plan file's absolute path; null for stdin or a pipe. */
    plan_path: string | null;
  };
  tenant: string | null;
  frameworks: string[];
  fail_on: Severity;
  unknown_policy: 'fail' | 'warn';
  summary: { pass: number; fail: number; error: number; waived: number; unknown: number; blocking: number };
  /** All statuses including pass; blocking first, then severity (worst first), check id, address. */
  findings: GateFinding[];
  waivers: { active: Waiver[]; expired: { waiver: Waiver; matched: number }[] };
  /** The plan's monthly cost delta at the price sheet's list prices, and the sheet's date. */
  cost: PlanCost;
  warnings: string[];
  /** 7: the monthly cost delta is over --budget-delta (or may be); wins over 1. */
  exit_code: 0 | 1 | 7;
}

/** `+123.40 USD` / `-5.00 USD`. */
export function signedAmount(amount: number, currency: string): string {
  return `${amount > 0 ? '+' : amount < 0 ? '-' : '±'}${Math.abs(amount).toFixed(2)} ${currency}`;
}

/** One line on the cost: delta, how many resources are and are not priced, the sheet's date, and the budget. */
export function costSummary(cost: PlanCost): string {
  const sheet = cost.price_sheet;
  const unpriced = cost.not_priced.length + Object.values(cost.unpriced_types).reduce((s, n) => s + n, 0);
  const budget = cost.budget ? ` · budget ${cost.budget.status}: ${cost.budget.reason}` : '';
  return `monthly cost delta ${signedAmount(cost.monthly_delta, sheet.currency)} (${cost.items.length} priced, ${unpriced} not priced) · price sheet of ${sheet.date} (${sheet.file ?? 'bundled'})${budget}`;
}

/** What a side costs, briefly: `Standard_D2s_v5 ×1 70.08`. */
export function sideText(side: { lines: { sku: string; quantity: number; monthly: number }[] } | null): string {
  if (!side) return '';
  return side.lines.map((l) => `${l.sku} ×${l.quantity} ${l.monthly.toFixed(2)}`).join(' + ');
}

/** What a finding is about, as a reader knows it: the Terraform address, else the resource id. */
export function findingTarget(finding: GateFinding): string {
  return finding.address ?? finding.resource_id;
}

/** The target with the resource block's place when known: `azurerm_key_vault.kv (infra/main.tf:12)`. */
export function findingPlace(finding: GateFinding): string {
  const target = findingTarget(finding);
  return finding.location ? `${target} (${finding.location.file}:${finding.location.line})` : target;
}

/** Requirement ids qualified by framework, e.g. `pci-dss-4.0.1/3.6.1`, `sox-itgc/ITGC-CO-02`. */
export function requirementIds(requirements: Record<string, string[]>): string[] {
  return Object.entries(requirements).flatMap(([framework, ids]) => ids.map((id) => `${framework}/${id}`));
}

/** Remediation as plain-text paragraphs: `Portal: …`, `Azure CLI: …`, `Terraform:` and the snippet. */
export function remediationParagraphs(remediation: Remediation): string[] {
  const paragraphs: string[] = [];
  if (remediation.portal) paragraphs.push(`Portal: ${remediation.portal.trim()}`);
  if (remediation.cli) paragraphs.push(`Azure CLI: ${remediation.cli.trim()}`);
  if (remediation.terraform) paragraphs.push(`Terraform:\n${remediation.terraform.trimEnd()}`);
  return paragraphs;
}

export function renderJson(result: GateResult): string {
  // Compact: plans of 50k resources give ~150k findings; `jq .` is there for reading.
  return `${JSON.stringify(result)}\n`;
}

const count = { type: 'integer', minimum: 0 } as const;
const nullableString = { type: ['string', 'null'] } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;

const action = { enum: ['create', 'delete', 'update', 'replace'] } as const;

function costSchema(): object {
  return {
    type: 'object',
    description:
      "The plan's monthly cost delta at list prices: create adds, delete subtracts, update and replace are after − before.",
    additionalProperties: false,
    required: ['price_sheet', 'hours_per_month', 'monthly_delta', 'items', 'not_priced', 'unpriced_types', 'budget'],
    properties: {
      price_sheet: {
        type: 'object',
        additionalProperties: false,
        required: ['date', 'currency', 'origin', 'source', 'file'],
        properties: {
          date: { type: 'string', format: 'date', description: 'The day the sheet was fetched (or, bundled, assembled).' },
          currency: { type: 'string' },
          origin: { enum: ['bundled', 'refreshed'] },
          source: { type: 'string' },
          file: { ...nullableString, description: 'The sheet file given; null for the bundled sheet.' },
        },
      },
      hours_per_month: { const: 730 },
      monthly_delta: { type: 'number', description: 'Sum of the priced items; not_priced and unpriced_types are not in it.' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['address', 'type', 'action', 'before', 'after', 'monthly_delta', 'notes'],
          properties: {
            address: { type: 'string' },
            type: { type: 'string' },
            action,
            before: { $ref: '#/$defs/costSide' },
            after: { $ref: '#/$defs/costSide' },
            monthly_delta: { type: 'number' },
            notes: stringList,
          },
        },
      },
      not_priced: {
        type: 'array',
        description: 'Changed resources of priced types without a number, each with why.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['address', 'type', 'action', 'kind', 'reason'],
          properties: {
            address: { type: 'string' },
            type: { type: 'string' },
            action,
            kind: { enum: ['usage-based', 'billed-elsewhere', 'unknown-at-plan', 'no-price'] },
            reason: { type: 'string' },
          },
        },
      },
      unpriced_types: {
        type: 'object',
        description: 'Changed azurerm resources of types Compline does not price, counted by type (never as 0).',
        additionalProperties: count,
      },
      budget: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['limit', 'status', 'reason', 'blocking'],
        properties: {
          limit: { type: 'number', minimum: 0 },
          status: { enum: ['within', 'exceeded', 'unknown'] },
          reason: { type: 'string' },
          blocking: { type: 'boolean', description: 'Gives exit code 7.' },
        },
      },
    },
  };
}

/** JSON Schema (draft 2020-12) of `compline gate --format json`; consumers may rely on everything it names. */
export function gateJsonSchema(): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:compline:gate-result:v${GATE_SCHEMA_VERSION}`,
    title: 'compline gate result',
    description:
      'Output of `compline gate plan.json --format json`: the verdict of every check over every planned resource, waivers and the exit code.',
    type: 'object',
    additionalProperties: false,
    required: [
      'schema_version',
      'tool',
      'plan',
      'source',
      'tenant',
      'frameworks',
      'fail_on',
      'unknown_policy',
      'summary',
      'findings',
      'waivers',
      'cost',
      'warnings',
      'exit_code',
    ],
    properties: {
      schema_version: { const: GATE_SCHEMA_VERSION },
      tool: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'version'],
        properties: { name: { const: 'compline' }, version: { type: 'string', minLength: 1 } },
      },
      plan: {
        type: 'object',
        additionalProperties: false,
        required: ['label', 'format_version', 'terraform_version', 'resources'],
        properties: {
          label: { type: 'string', description: 'The plan file as given on the command line.' },
          format_version: { type: 'string', description: 'format_version of the Terraform plan JSON.' },
          terraform_version: nullableString,
          resources: {
            type: 'object',
            additionalProperties: false,
            required: ['total', 'azurerm', 'evaluated', 'unmapped'],
            properties: {
              total: count,
              azurerm: count,
              evaluated: count,
              unmapped: {
                type: 'object',
                description: 'azurerm resource types the gate cannot map yet, with how many of each the plan holds.',
                additionalProperties: count,
              },
            },
          },
        },
      },
      source: {
        type: 'object',
        additionalProperties: false,
        required: ['root', 'module_dir', 'plan', 'plan_path'],
        description: 'Where the Terraform sources were looked for; findings name files relative to root.',
        properties: {
          root: { type: 'string', description: 'Absolute folder: the repository root, else the root module folder.' },
          module_dir: { type: 'string', description: "The root module's folder relative to root ('' for root)." },
          plan: { ...nullableString, description: 'The plan file relative to root; null for stdin, a pipe or outside root.' },
          plan_path: { ...nullableString, description: "The plan file's absolute path; null for stdin or a pipe." },
        },
      },
      tenant: nullableString,
      frameworks: stringList,
      fail_on: { $ref: '#/$defs/severity' },
      unknown_policy: { enum: ['fail', 'warn'] },
      summary: {
        type: 'object',
        additionalProperties: false,
        required: ['pass', 'fail', 'error', 'waived', 'unknown', 'blocking'],
        properties: { pass: count, fail: count, error: count, waived: count, unknown: count, blocking: count },
      },
      findings: { type: 'array', items: { $ref: '#/$defs/finding' } },
      waivers: {
        type: 'object',
        additionalProperties: false,
        required: ['active', 'expired'],
        properties: {
          active: { type: 'array', items: { $ref: '#/$defs/waiver' } },
          expired: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['waiver', 'matched'],
              properties: {
                waiver: { $ref: '#/$defs/waiver' },
                matched: { ...count, description: 'Findings the waiver would still cover; they count as fail again.' },
              },
            },
          },
        },
      },
      cost: { $ref: '#/$defs/cost' },
      warnings: stringList,
      exit_code: {
        enum: [0, 1, 7],
        description: '0 pass, 1 blocking findings, 7 monthly cost delta over --budget-delta (wins over 1).',
      },
    },
    $defs: {
      cost: costSchema(),
      costSide: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['region', 'lines', 'monthly'],
        properties: {
          region: { type: 'string' },
          monthly: { type: 'number' },
          lines: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['what', 'sku', 'quantity', 'basis', 'unit_price', 'unit', 'monthly'],
              properties: {
                what: { type: 'string', description: 'compute, os disk, default node pool, control plane, disk, public ip, ...' },
                sku: { type: 'string' },
                quantity: { type: 'number', minimum: 0 },
                basis: {
                  type: 'string',
                  description: 'Where the quantity comes from: instances, node_count, min_count (autoscaling ...).',
                },
                unit_price: { type: 'number', description: "The sheet item's retailPrice, per unit." },
                unit: { type: 'string', description: "The sheet item's unitOfMeasure: 1 Hour, 1/Month, 1 GB/Month, 1/Day." },
                monthly: { type: 'number', description: 'quantity × unit price per month (730 hours), rounded to cents.' },
              },
            },
          },
        },
      },
      severity: { enum: [...SEVERITIES] },
      finding: {
        type: 'object',
        additionalProperties: false,
        required: [
          'check_id',
          'resource_id',
          'tenant_id',
          'status',
          'severity',
          'reason',
          'evidence',
          'waiver_id',
          'plan_address',
          'title',
          'requirements',
          'address',
          'blocking',
          'location',
        ],
        properties: {
          check_id: { type: 'string', minLength: 1 },
          resource_id: { type: 'string', description: 'Lower-case ARM id, or plan://<address> for a planned resource.' },
          tenant_id: nullableString,
          status: { enum: ['pass', 'fail', 'error', 'waived', 'unknown'] },
          severity: { $ref: '#/$defs/severity' },
          reason: { type: 'string' },
          evidence: { description: 'The rows behind the verdict, as the check query returned them.' },
          waiver_id: nullableString,
          plan_address: nullableString,
          title: { type: 'string' },
          requirements: {
            type: 'object',
            description: 'Framework id to requirement ids, e.g. {"pci-dss-4.0.1": ["3.6.1"]}.',
            additionalProperties: stringList,
          },
          address: { ...nullableString, description: 'Terraform address; equals plan_address.' },
          blocking: { type: 'boolean', description: 'Counts toward exit code 1.' },
          location: {
            description: "The resource's block in the Terraform sources; null where it was not found (a registry module).",
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                additionalProperties: false,
                required: ['file', 'line'],
                properties: { file: { type: 'string', minLength: 1 }, line: { type: 'integer', minimum: 1 } },
              },
            ],
          },
        },
      },
      waiver: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'check', 'resource', 'reason', 'approver', 'ticket', 'expires'],
        properties: {
          id: { type: 'string' },
          check: { type: 'string' },
          resource: { type: 'string', description: 'Case-insensitive glob over resource ids or plan addresses.' },
          tenant: { type: 'string' },
          reason: { type: 'string' },
          approver: { type: 'string' },
          ticket: { type: 'string' },
          expires: { type: 'string', format: 'date' },
        },
      },
    },
  };
}
