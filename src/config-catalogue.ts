import type { Catalogue } from './rules.js';
import { didYouMean } from './suggest.js';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks and parameters the config names that the catalogue lacks, as `<path>: <problem>` lines. Reads the config as
 * written, valid against the schema or not, so these problems are reported in the same pass as the schema's.
 */
export function catalogueProblems(config: unknown, catalogue: Catalogue): string[] {
  const problems: string[] = [];
  if (!isRecord(config)) return problems;
  const ids = [...catalogue.byId.keys()];
  if (Array.isArray(config.waivers)) {
    config.waivers.forEach((w: unknown, i) => {
      if (isRecord(w) && typeof w.check === 'string' && !catalogue.byId.has(w.check)) {
        problems.push(`waivers[${i}].check: no check ${w.check}${didYouMean(w.check, ids)}`);
      }
    });
  }
  if (!isRecord(config.check_params)) return problems;
  for (const [check, params] of Object.entries(config.check_params)) {
    const meta = catalogue.byId.get(check);
    if (!meta) {
      problems.push(`check_params.${check}: no check ${check}${didYouMean(check, ids)}`);
      continue;
    }
    if (!isRecord(params)) continue;
    for (const [name, value] of Object.entries(params)) {
      if (!(name in meta.params)) {
        problems.push(
          `check_params.${check}.${name}: ${check} has no parameter ${name}${didYouMean(name, Object.keys(meta.params))}`,
        );
      } else if (typeof value !== typeof meta.params[name]) {
        problems.push(`check_params.${check}.${name}: expected ${typeof meta.params[name]}`);
      }
    }
  }
  return problems;
}
