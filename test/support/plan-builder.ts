// Builds a `terraform show -json` document from short resource descriptions, as Terraform 1.9 writes it.
import type { PlanFixture } from './fixture-store.js';

const REF = /^\$\{ref:([a-z0-9_]+\.[a-z0-9_-]+)\}$/;

export interface BuiltPlan {
  plan: Record<string, unknown>;
  addresses: string[];
}

/** Values like "${ref:azurerm_key_vault.kv}" become unknown-until-apply attributes with a configuration reference. */
export function buildPlan(resources: PlanFixture[], prefix = 'p'): BuiltPlan {
  const planned: Record<string, unknown>[] = [];
  const changes: Record<string, unknown>[] = [];
  const config: Record<string, unknown>[] = [];
  const addresses: string[] = [];
  resources.forEach((r, i) => {
    const name = r.name ?? `${prefix}${i}`;
    const address = `${r.type}.${name}`;
    addresses.push(address);
    const values: Record<string, unknown> = {};
    const unknown: Record<string, unknown> = {};
    const expressions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.values)) {
      const ref = typeof v === 'string' ? REF.exec(v) : null;
      if (ref) {
        unknown[k] = true;
        expressions[k] = { references: [`${ref[1]}.id`, ref[1]] };
      } else {
        values[k] = v;
        expressions[k] = { constant_value: v };
      }
    }
    const common = { address, mode: 'managed', type: r.type, name, provider_name: 'registry.terraform.io/hashicorp/azurerm' };
    planned.push({ ...common, schema_version: 0, values, sensitive_values: {} });
    const actions = r.actions ?? ['create'];
    changes.push({
      ...common,
      change: {
        actions,
        before: actions.includes('create') && !actions.includes('delete') ? null : values,
        after: actions.length === 1 && actions[0] === 'delete' ? null : values,
        after_unknown: unknown,
        before_sensitive: false,
        after_sensitive: {},
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
