// ../shared/real holds public recorded data; conformance tests read it in place and skip visibly without it.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REAL_DIR = fileURLToPath(new URL('../../../shared/real/', import.meta.url));
export const hasRealData = existsSync(REAL_DIR);
if (!hasRealData) console.warn(`conformance tests skipped: ${REAL_DIR} is absent`);

export function realJson(path: string): unknown {
  return JSON.parse(readFileSync(REAL_DIR + path, 'utf8'));
}

/** The response body of a REST API spec example (`responses.200.body`). */
export function exampleBody(path: string): Record<string, unknown> {
  const doc = realJson(path) as { responses: Record<string, { body: Record<string, unknown> }> };
  return doc.responses['200']!.body;
}
