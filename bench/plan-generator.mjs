// Generates large `terraform show -json` plans the way multi-tenant platforms grow them: one tenant
// module instantiated with for_each, each instance a copy of a template plan, names varied per instance.
// Templates: our azurerm 4.x platform stack (test/fixtures/plans/platform-azurerm4.plan.json, lean: only
// the attributes it sets), or a real Terraform 0.12 plan from ../shared/real (every attribute, as
// Terraform writes them).
import { readFileSync } from 'node:fs';

export const TEMPLATES = {
  platform: new URL('../test/fixtures/plans/platform-azurerm4.plan.json', import.meta.url),
  real: new URL('../../shared/real/a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json', import.meta.url),
};

const prefix = (key) => `module.tenant["${key}"]`;

function renameValues(values, key) {
  if (!values || typeof values !== 'object') return values;
  const out = { ...values };
  if (typeof out.name === 'string') out.name = `${out.name}-${key}`.slice(0, 63);
  return out;
}

function rewriteModule(mod, key) {
  return {
    ...(mod.address ? { address: `${prefix(key)}.${mod.address}` } : { address: prefix(key) }),
    resources: (mod.resources ?? []).map((r) => ({
      ...r,
      address: `${prefix(key)}.${r.address}`,
      values: renameValues(r.values, key),
    })),
    child_modules: (mod.child_modules ?? []).map((c) => rewriteModule(c, key)),
  };
}

export function countResources(mod) {
  return (mod.resources ?? []).length + (mod.child_modules ?? []).reduce((n, c) => n + countResources(c), 0);
}

/** A plan with at least `target` resource changes, and how many it has. */
export function generatePlan(target, template = 'platform') {
  const TEMPLATE = JSON.parse(readFileSync(TEMPLATES[template], 'utf8'));
  const perInstance = TEMPLATE.resource_changes.length;
  const instances = Math.ceil(target / perInstance);
  const keys = Array.from({ length: instances }, (_, i) => `t${String(i).padStart(5, '0')}`);
  const changes = [];
  const children = [];
  for (const key of keys) {
    children.push(rewriteModule(TEMPLATE.planned_values.root_module, key));
    for (const rc of TEMPLATE.resource_changes) {
      changes.push({
        ...rc,
        address: `${prefix(key)}.${rc.address}`,
        module_address: rc.module_address ? `${prefix(key)}.${rc.module_address}` : prefix(key),
        change: { ...rc.change, after: renameValues(rc.change.after, key), before: renameValues(rc.change.before, key) },
      });
    }
  }
  const plan = {
    format_version: TEMPLATE.format_version,
    terraform_version: TEMPLATE.terraform_version,
    planned_values: { root_module: { resources: [], child_modules: children } },
    resource_changes: changes,
    configuration: {
      provider_config: TEMPLATE.configuration.provider_config ?? {},
      root_module: {
        module_calls: {
          tenant: {
            source: './modules/tenant',
            for_each_expression: { references: ['var.tenants'] },
            module: TEMPLATE.configuration.root_module,
          },
        },
      },
    },
    timestamp: '2026-11-25T00:00:00Z',
    applyable: true,
    complete: true,
    errored: false,
  };
  return {
    plan,
    resourceChanges: changes.length,
    plannedResources: instances * countResources(TEMPLATE.planned_values.root_module),
  };
}
