// `compline rules list|show`: the FinOps rule catalogue as a table, JSON or one rule in full.
import { UsageError } from '../errors.js';
import { type FinopsRule, loadFinopsRules } from '../finops/rules/catalogue.js';
import { didYouMean } from '../suggest.js';

function describeRule(r: FinopsRule) {
  return {
    id: r.id,
    title: r.title,
    action: r.action,
    tables: r.tables,
    params: r.params,
    confidence: r.confidence,
    description: r.description,
  };
}

export function rulesList(format: 'text' | 'json' = 'text', rules = loadFinopsRules()): string {
  if (format === 'json') return JSON.stringify(rules.map(describeRule), null, 2);
  const rows = [['id', 'action', 'tables', 'title'], ...rules.map((r) => [r.id, r.action, r.tables.join(','), r.title])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return `${lines.join('\n')}\n\n${rules.length} FinOps rules`;
}

export function rulesShow(id: string, format: 'text' | 'json' = 'text', rules = loadFinopsRules()): string {
  const r = rules.find((x) => x.id === id);
  if (!r)
    throw new UsageError(
      `rules show: no FinOps rule ${id}${
        didYouMean(
          id,
          rules.map((x) => x.id),
        ) || ' (see compline rules list)'
      }`,
    );
  if (format === 'json') return JSON.stringify({ ...describeRule(r), query: r.sql }, null, 2);
  const params = Object.entries(r.params).map(([k, v]) => `  ${k} = ${String(v)}`);
  return [
    `${r.id}: ${r.title}`,
    `action: ${r.action}`,
    `tables: ${r.tables.join(', ')}`,
    `\n${r.description.trim()}`,
    '\nconfidence:',
    ...Object.entries(r.confidence).map(([level, why]) => `  ${level}: ${why}`),
    ...(params.length
      ? ['\nparameters (override in compline.yaml finops.rules.params, or per tenant finops.rules.tenants):', ...params]
      : []),
    '\nquery.sql:',
    r.sql.replace(/^/gm, '  '),
  ].join('\n');
}
