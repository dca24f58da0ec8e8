// ../shared/real holds public recorded data; conformance tests read it in place. Without it a test skips with
// a line saying which file is absent, except under CI, where a missing folder or a renamed file fails the run.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

export const REAL_DIR = fileURLToPath(new URL('../../../shared/real/', import.meta.url));

/** CI systems set CI=true (GitHub Actions, Azure Pipelines, GitLab); `false` or `0` means a local run. */
export const inCI = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.CI && !['false', '0'].includes(env.CI.toLowerCase());

export type RealDataPlan = { run: true } | { run: false; fail: boolean; message: string };

/** Whether a test over these files (relative to `dir`) runs, fails for want of them (CI) or skips. */
export function realDataPlan(files: readonly string[], dir: string, ci: boolean): RealDataPlan {
  const missing = files.filter((f) => !existsSync(dir + f));
  if (!missing.length) return { run: true };
  const what = existsSync(dir) ? missing.map((f) => dir + f).join(', ') : `${dir} (the whole folder)`;
  return ci
    ? { run: false, fail: true, message: `real data missing under CI: ${what}` }
    : { run: false, fail: false, message: `skipped, real data absent: ${what}` };
}

/** `it` for a test that reads real files (paths relative to ../shared/real): runs, fails under CI, or skips visibly. */
export function itReal(files: readonly string[], name: string, fn: () => unknown): void {
  const plan = realDataPlan(files, REAL_DIR, inCI());
  if (plan.run) {
    it(name, fn);
  } else if (plan.fail) {
    it(name, () => {
      throw new Error(plan.message);
    });
  } else {
    console.warn(`${name}: ${plan.message}`);
    it.skip(name, fn);
  }
}

export function realJson(path: string): unknown {
  return JSON.parse(readFileSync(REAL_DIR + path, 'utf8'));
}

/** The response body of a REST API spec example (`responses.200.body`). */
export function exampleBody(path: string): Record<string, unknown> {
  const doc = realJson(path) as { responses: Record<string, { body: Record<string, unknown> }> };
  return doc.responses['200']!.body;
}
