// What a `compline run` left in its workspace: the reports of its one run, and every byte it wrote.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Each tenant's report.json of the one run under `<dir>/out`. */
export function runReports<T>(dir: string): Record<string, T> {
  const [runId] = readdirSync(join(dir, 'out'));
  const root = join(dir, 'out', runId!);
  return Object.fromEntries(readdirSync(root).map((t) => [t, JSON.parse(readFileSync(join(root, t, 'report.json'), 'utf8'))]));
}

/** Every file under `dir`, as text, for a secret to be looked for in. */
export function allOutput(dir: string): string {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(p, e.name));
      else out.push(readFileSync(join(p, e.name)).toString('latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}
