// FinOps rule folders (rule.yaml + query.sql + fixtures.yaml) under src/finops/rules, read and validated.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../../config.js';
import { UsageError } from '../../errors.js';
import { RULE_TABLES } from '../../store.js';

/** src/finops/rules from both src/ (tests) and dist/ (the built CLI). */
export const FINOPS_RULES_DIR = new URL('../../../src/finops/rules/', import.meta.url);

/** Bound by the engine on every query, never declared: the run's day (YYYY-MM-DD). */
export const RESERVED_PARAMS = ['today'] as const;

/** Columns every FinOps rule query returns; the engine adds rule_id and, for recommendations, the rule's action. */
export const RULE_COLUMNS = [
  'resource_id',
  'tenant_id',
  'status',
  'current',
  'proposed',
  'monthly_savings',
  'currency',
  'price_sheet_date',
  'confidence',
  'reason',
  'evidence',
] as const;

export const RULE_STATUSES = ['recommend', 'not-enough-data'] as const;
export const CONFIDENCES = ['high', 'medium', 'low'] as const;

const paramValue = z.union([z.number(), z.string(), z.boolean()]);
export type ParamValue = z.infer<typeof paramValue>;

const ruleYaml = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(1),
  /** What a recommendation of this rule asks for, one kebab-case verb phrase (resize, delete, deallocate, ...). */
  action: z.string().regex(/^[a-z]+(-[a-z]+)*$/),
  tables: z.array(z.string()).min(1),
  params: z
    .record(
      z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/)
        .refine((k) => !(RESERVED_PARAMS as readonly string[]).includes(k), 'is bound by the engine'),
      paramValue,
    )
    .default({}),
  /** How the query grades its confidence: one sentence per level it uses. */
  confidence: z.partialRecord(z.enum(CONFIDENCES), z.string().min(1)),
});

export interface FinopsRule {
  id: string;
  title: string;
  description: string;
  action: string;
  tables: string[];
  params: Record<string, ParamValue>;
  confidence: Partial<Record<(typeof CONFIDENCES)[number], string>>;
  dir: string;
  sql: string;
}

function loadRule(dir: string, id: string): { rule?: FinopsRule; problems: string[] } {
  const label = `${dir.slice(dir.indexOf('src/finops/'))}rule.yaml`;
  const problems: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) problems.push(`${label}: folder name must be kebab-case (it is the rule id)`);
  for (const f of ['rule.yaml', 'query.sql', 'fixtures.yaml']) {
    if (!existsSync(dir + f)) problems.push(`${label}: ${f} missing beside it`);
  }
  if (problems.length) return { problems };
  let raw: unknown;
  try {
    raw = parse(readFileSync(`${dir}rule.yaml`, 'utf8'));
  } catch (e) {
    return { problems: [`${label}: invalid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  const parsed = ruleYaml.safeParse(raw);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${label}: ${formatPath(i.path)}: ${i.message}`) };
  const meta = parsed.data;
  for (const t of meta.tables) if (!RULE_TABLES.includes(t)) problems.push(`${label}: tables: no table ${t}`);
  return {
    rule: { id, ...meta, dir, sql: readFileSync(`${dir}query.sql`, 'utf8').trim().replace(/;\s*$/, '') },
    problems,
  };
}

let cached: FinopsRule[] | undefined;

/** Every FinOps rule (each folder here is one), sorted by id; throws UsageError listing every problem. */
export function loadFinopsRules(dir: URL = FINOPS_RULES_DIR): FinopsRule[] {
  if (dir.href === FINOPS_RULES_DIR.href && cached) return cached;
  const root = fileURLToPath(dir);
  const rules: FinopsRule[] = [];
  const problems: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const { rule, problems: p } = loadRule(`${root}${entry.name}/`, entry.name);
    problems.push(...p);
    if (rule) rules.push(rule);
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  rules.sort((a, b) => a.id.localeCompare(b.id));
  if (dir.href === FINOPS_RULES_DIR.href) cached = rules;
  return rules;
}

/** Shared FinOps macros (prices, the bundled VM size table, container usage per workload), after the checks' macros. */
export const FINOPS_MACRO_FILES = [new URL('vm-sizes.sql', FINOPS_RULES_DIR), new URL('macros.sql', FINOPS_RULES_DIR)];
let macros: string | undefined;
export function finopsMacros(): string {
  macros ??= FINOPS_MACRO_FILES.map((f) => readFileSync(f, 'utf8')).join('\n');
  return macros;
}
