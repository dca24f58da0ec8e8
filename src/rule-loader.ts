// Rule folders (check.yaml + query.sql + fixtures.yaml) read from source and validated.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatPath } from './config.js';
import { UsageError } from './errors.js';
import { type Framework, loadFrameworks } from './frameworks.js';
import { type CheckMeta, SEVERITIES } from './model.js';
import type { Catalogue } from './rules.js';
import { RULE_TABLES } from './store.js';

const checkYaml = z.strictObject({
  title: z.string().min(1),
  severity: z.enum(SEVERITIES as [string, ...string[]]),
  description: z.string().optional(),
  tables: z.array(z.string()).min(1),
  reads: z.array(z.string().regex(/^(properties|tags|sku|location|plan_actions|identity)(\.|$)/)).default([]),
  requirements: z.record(z.string(), z.array(z.string()).min(1)),
  params: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.union([z.number(), z.string(), z.boolean()])).default({}),
  remediation: z.strictObject({
    portal: z.string().optional(),
    cli: z.string().optional(),
    terraform: z.string().optional(),
  }),
});

function loadCheck(dir: string, id: string, frameworks: Map<string, Framework>): { check?: CheckMeta; problems: string[] } {
  const label = `${dir.slice(dir.indexOf('src/checks/'))}check.yaml`;
  const problems: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) problems.push(`${label}: folder name must be kebab-case (it is the check id)`);
  for (const f of ['check.yaml', 'query.sql', 'fixtures.yaml']) {
    if (!existsSync(dir + f)) problems.push(`${label}: ${f} missing beside it`);
  }
  if (problems.length) return { problems };
  let raw: unknown;
  try {
    raw = parse(readFileSync(`${dir}check.yaml`, 'utf8'));
  } catch (e) {
    return { problems: [`${label}: invalid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  const parsed = checkYaml.safeParse(raw);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => `${label}: ${formatPath(i.path)}: ${i.message}`) };
  }
  const meta = parsed.data;
  for (const t of meta.tables) if (!RULE_TABLES.includes(t)) problems.push(`${label}: tables: no table ${t}`);
  for (const [fw, ids] of Object.entries(meta.requirements)) {
    const framework = frameworks.get(fw);
    if (!framework) {
      problems.push(`${label}: requirements.${fw}: no framework catalogue ${fw}`);
      continue;
    }
    for (const r of ids) if (!framework.byId.has(r)) problems.push(`${label}: requirements.${fw}: no requirement ${r} in ${fw}`);
  }
  const check: CheckMeta = {
    id,
    title: meta.title,
    severity: meta.severity as CheckMeta['severity'],
    ...(meta.description ? { description: meta.description } : {}),
    tables: meta.tables,
    reads: meta.reads,
    requirements: meta.requirements,
    params: meta.params,
    remediation: meta.remediation,
    dir,
    sql: readFileSync(`${dir}query.sql`, 'utf8').trim().replace(/;\s*$/, ''),
  };
  return { check, problems };
}

/** Loads every rule folder under checks/<framework>/; throws UsageError listing every problem. */
export function loadCatalogueFromSource(checksDir: URL): Catalogue {
  const frameworks = loadFrameworks(checksDir);
  const root = fileURLToPath(checksDir);
  const checks: CheckMeta[] = [];
  const problems: string[] = [];
  for (const group of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const entry of readdirSync(root + group.name, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const { check, problems: p } = loadCheck(`${root}${group.name}/${entry.name}/`, entry.name, frameworks);
      problems.push(...p);
      if (check) checks.push(check);
    }
  }
  const byId = new Map<string, CheckMeta>();
  for (const c of checks) {
    if (byId.has(c.id)) problems.push(`${c.dir}: duplicate check id ${c.id}`);
    byId.set(c.id, c);
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  checks.sort((a, b) => a.id.localeCompare(b.id));
  return { checks, byId, frameworks };
}
