// `compline checks list|show`: the catalogue as a table, JSON or one check in full.
import { UsageError } from '../errors.js';
import type { CheckMeta } from '../model.js';
import { type Catalogue, loadCatalogue } from '../rules.js';
import { didYouMean } from '../suggest.js';

export interface ChecksListOptions {
  framework?: string;
  format?: 'text' | 'json';
}

function describeCheck(c: CheckMeta) {
  return {
    id: c.id,
    title: c.title,
    severity: c.severity,
    tables: c.tables,
    reads: c.reads,
    requirements: c.requirements,
    params: c.params,
    remediation: c.remediation,
    ...(c.description ? { description: c.description } : {}),
  };
}

export async function checksList(opts: ChecksListOptions, catalogue?: Catalogue): Promise<string> {
  catalogue ??= await loadCatalogue();
  if (opts.framework && !catalogue.frameworks.has(opts.framework)) {
    const known = [...catalogue.frameworks.keys()];
    throw new UsageError(
      `--framework ${opts.framework}: expected one of ${known.join(', ')}${didYouMean(opts.framework, known)}`,
    );
  }
  const checks = catalogue.checks.filter((c) => !opts.framework || c.requirements[opts.framework]);
  if (opts.format === 'json') return JSON.stringify(checks.map(describeCheck), null, 2);
  // One column of requirement ids per framework: the one asked for, else every catalogue's.
  const frameworks = opts.framework ? [opts.framework] : [...catalogue.frameworks.keys()];
  const rows = [['id', 'severity', ...frameworks, 'title']];
  for (const c of checks) {
    rows.push([c.id, c.severity, ...frameworks.map((fw) => (c.requirements[fw] ?? []).join(' ')), c.title]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return `${lines.join('\n')}\n\n${checks.length} checks`;
}

export async function checksShow(id: string, format: 'text' | 'json' = 'text', catalogue?: Catalogue): Promise<string> {
  catalogue ??= await loadCatalogue();
  const c = catalogue.byId.get(id);
  if (!c)
    throw new UsageError(`checks show: no check ${id}${didYouMean(id, catalogue.byId.keys()) || ' (see compline checks list)'}`);
  if (format === 'json') return JSON.stringify({ ...describeCheck(c), query: c.sql }, null, 2);
  const reqs = Object.entries(c.requirements).map(([fw, ids]) => {
    const framework = catalogue.frameworks.get(fw);
    return ids.map((r) => `  ${fw} ${r}: ${framework?.byId.get(r)?.title ?? ''}`).join('\n');
  });
  const params = Object.entries(c.params).map(([k, v]) => `  ${k} = ${String(v)}`);
  return [
    `${c.id}: ${c.title}`,
    `severity: ${c.severity}`,
    ...(c.description ? [`\n${c.description.trim()}`] : []),
    '\nrequirements:',
    ...reqs,
    ...(params.length ? ['\nparameters (override in compline.yaml check_params):', ...params] : []),
    '\nremediation:',
    ...(['portal', 'cli', 'terraform'] as const)
      .filter((k) => c.remediation[k])
      .map((k) => `  ${k}:\n${c.remediation[k]!.trim().replace(/^/gm, '    ')}`),
    '\nquery.sql:',
    c.sql.replace(/^/gm, '  '),
  ].join('\n');
}
