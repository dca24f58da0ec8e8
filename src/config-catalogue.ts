// Config that names checks or parameters must name ones the catalogue has.
import type { Config } from './config.js';
import { UsageError } from './errors.js';
import type { Catalogue } from './rules.js';

/** Rejects config that names checks or parameters the catalogue does not have. */
export function checkConfigAgainstCatalogue(label: string, config: Config, catalogue: Catalogue): void {
  const problems: string[] = [];
  config.waivers.forEach((w, i) => {
    if (!catalogue.byId.has(w.check)) problems.push(`${label}: waivers[${i}].check: no check ${w.check}`);
  });
  for (const [check, params] of Object.entries(config.check_params)) {
    const meta = catalogue.byId.get(check);
    if (!meta) {
      problems.push(`${label}: check_params.${check}: no check ${check}`);
      continue;
    }
    for (const [name, value] of Object.entries(params)) {
      if (!(name in meta.params)) problems.push(`${label}: check_params.${check}.${name}: ${check} has no parameter ${name}`);
      else if (typeof value !== typeof meta.params[name]) {
        problems.push(`${label}: check_params.${check}.${name}: expected ${typeof meta.params[name]}`);
      }
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
}
