// Builds a `terraform show -json` document from short resource descriptions, as Terraform 1.9 writes it.
import type { PlanFixture } from './fixture-store.js';

const REF = /^\$\{ref:([a-z0-9_]+\.[a-z0-9_-]+)\}$/;

interface Split {
  values: Record<string, unknown>;
  unknown: Record<string, unknown>;
  expressions: Record<string, unknown>;
}

/** Separates known values from references, recursing into blocks (arrays of objects) as Terraform nests them. */
function split(input: Record<string, unknown>): Split {
  const out: Split = { values: {}, unknown: {}, expressions: {} };
  for (const [k, v] of Object.entries(input)) {
    const ref = typeof v === 'string' ? REF.exec(v) : null;
    if (v === UNKNOWN) {
      // Known only after apply, computed by the provider: no value, no expression in the configuration.
      out.unknown[k] = true;
    } else if (ref) {
      out.unknown[k] = true;
      out.expressions[k] = { references: [`${ref[1]}.id`, ref[1]] };
    } else if (Array.isArray(v) && v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
      const blocks = v.map((b) => split(b as Record<string, unknown>));
      out.values[k] = blocks.map((b) => b.values);
      if (blocks.some((b) => Object.keys(b.unknown).length)) out.unknown[k] = blocks.map((b) => b.unknown);
      out.expressions[k] = blocks.map((b) => b.expressions);
    } else {
      out.values[k] = v;
      out.expressions[k] = { constant_value: v };
    }
  }
  return out;
}

/** The after_sensitive mirror marking each path (`tags`, `tags.Environment`, `security_rule[0].source_address_prefix`). */
function sensitiveMirror(paths: readonly string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    const steps = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
    let at: Record<string | number, unknown> = root;
    steps.forEach((step, i) => {
      const key = /^\d+$/.test(step) ? Number(step) : step;
      if (i === steps.length - 1) {
        at[key] = true;
        return;
      }
      // A list's mirror is an array; elements before the marked one are objects without marks.
      const list = /^\d+$/.test(steps[i + 1] as string);
      at[key] ??= list ? [] : {};
      const next = at[key] as Record<string | number, unknown>;
      if (Array.isArray(next)) for (let j = 0; j < Number(steps[i + 1]); j++) next[j] ??= {};
      at = next;
    });
  }
  return root;
}

/** The marker for a value known only after apply that nothing in the configuration sets (after_unknown only). */
export const UNKNOWN = `\${unknown}`;

/** The marker for a value known only after apply that references another plan resource. */
export const ref = (address: string): string => `\${ref:${address}}`;

export interface BuiltPlan {
  plan: Record<string, unknown>;
  addresses: string[];
}

/**
 * Values like "${ref:azurerm_key_vault.kv}" become unknown-until-apply attributes with a configuration reference;
 * "${unknown}" an unknown-until-apply attribute without one.
 */
export function buildPlan(resources: PlanFixture[], prefix = 'p'): BuiltPlan {
  const planned: Record<string, unknown>[] = [];
  const changes: Record<string, unknown>[] = [];
  const config: Record<string, unknown>[] = [];
  const addresses: string[] = [];
  resources.forEach((r, i) => {
    const name = r.name ?? `${prefix}${i}`;
    const address = `${r.type}.${name}`;
    addresses.push(address);
    const { values, unknown, expressions } = split(r.values);
    const common = { address, mode: 'managed', type: r.type, name, provider_name: 'registry.terraform.io/hashicorp/azurerm' };
    const sensitive = sensitiveMirror(r.sensitive ?? []);
    planned.push({ ...common, schema_version: 0, values, sensitive_values: sensitive });
    const actions = r.actions ?? ['create'];
    changes.push({
      ...common,
      change: {
        actions,
        before: actions.includes('create') && !actions.includes('delete') ? null : values,
        after: actions.length === 1 && actions[0] === 'delete' ? null : values,
        after_unknown: unknown,
        before_sensitive: actions.includes('delete') ? sensitive : false,
        after_sensitive: sensitive,
      },
    });
    config.push({ address, mode: 'managed', type: r.type, name, provider_config_key: 'azurerm', expressions, schema_version: 0 });
  });
  return {
    plan: {
      format_version: '1.2',
      terraform_version: '1.9.5',
      planned_values: {
        root_module: {
          resources: planned.filter((_, i) => !(resources[i]?.actions?.length === 1 && resources[i]?.actions?.[0] === 'delete')),
        },
      },
      resource_changes: changes,
      configuration: {
        provider_config: { azurerm: { name: 'azurerm', full_name: 'registry.terraform.io/hashicorp/azurerm' } },
        root_module: { resources: config },
      },
    },
    addresses,
  };
}

/** The change Terraform writes for a resource that exists and stays as it is; `sensitive` marks all its values. */
export function unchanged(type: string, name: string, values: Record<string, unknown>, sensitive = false) {
  const marks = sensitive ? Object.fromEntries(Object.keys(values).map((k) => [k, true])) : undefined;
  return {
    address: `${type}.${name}`,
    mode: 'managed',
    type,
    name,
    change: {
      actions: ['no-op'],
      before: values,
      after: values,
      after_unknown: {},
      ...(marks ? { before_sensitive: marks, after_sensitive: marks } : {}),
    },
  };
}
