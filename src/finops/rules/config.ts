// finops.rules: which FinOps rules run and their parameters, for every tenant and per tenant.
import { z } from 'zod';
import { isRecord } from '../../config-catalogue.js';
import { didYouMean } from '../../suggest.js';
import { loadFinopsRules } from './catalogue.js';

const nonEmpty = z.string().min(1);
const paramValues = z.record(nonEmpty, z.record(nonEmpty, z.union([z.number(), z.string(), z.boolean()])));

export const rulesConfig = z
  .strictObject({
    /** Rule ids that do not run. */
    disabled: z.array(nonEmpty).default([]),
    /** rule id → parameter → value, for every tenant (over the rule.yaml defaults). */
    params: paramValues.default({}),
    /** tenant id → rule id → parameter → value, over `params` for that tenant's resources only. */
    tenants: z.record(nonEmpty, paramValues).default({}),
  })
  .prefault({});

export type RulesConfig = z.infer<typeof rulesConfig>;

/**
 * Rule ids, parameter names and types, and tenant ids under finops.rules that do not exist, as `<path>: <problem>`
 * lines. Reads the config as written, so these come in the same pass as the schema's problems.
 */
export function finopsRulesProblems(config: unknown): string[] {
  if (!isRecord(config) || !isRecord(config.finops) || !isRecord(config.finops.rules)) return [];
  const section = config.finops.rules;
  const rules = new Map(loadFinopsRules().map((r) => [r.id, r]));
  const ids = [...rules.keys()];
  const problems: string[] = [];
  const checkParams = (path: string, byRule: unknown) => {
    if (!isRecord(byRule)) return;
    for (const [id, params] of Object.entries(byRule)) {
      const rule = rules.get(id);
      if (!rule) {
        problems.push(`${path}.${id}: no FinOps rule ${id}${didYouMean(id, ids)}`);
        continue;
      }
      if (!isRecord(params)) continue;
      for (const [name, value] of Object.entries(params)) {
        if (!(name in rule.params))
          problems.push(`${path}.${id}.${name}: ${id} has no parameter ${name}${didYouMean(name, Object.keys(rule.params))}`);
        else if (typeof value !== typeof rule.params[name])
          problems.push(`${path}.${id}.${name}: expected ${typeof rule.params[name]}`);
      }
    }
  };
  if (Array.isArray(section.disabled))
    section.disabled.forEach((id: unknown, i) => {
      if (typeof id === 'string' && !rules.has(id))
        problems.push(`finops.rules.disabled[${i}]: no FinOps rule ${id}${didYouMean(id, ids)}`);
    });
  checkParams('finops.rules.params', section.params);
  if (isRecord(section.tenants)) {
    const tenants = Array.isArray(config.tenants)
      ? config.tenants.flatMap((t: unknown) => (isRecord(t) && typeof t.id === 'string' ? [t.id] : []))
      : [];
    for (const [tenant, byRule] of Object.entries(section.tenants)) {
      if (!tenants.includes(tenant))
        problems.push(`finops.rules.tenants.${tenant}: no tenant ${tenant}${didYouMean(tenant, tenants)}`);
      checkParams(`finops.rules.tenants.${tenant}`, byRule);
    }
  }
  return problems;
}
