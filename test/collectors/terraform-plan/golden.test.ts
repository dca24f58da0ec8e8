// normalisePlan's output, byte for byte, over every plan we have: the repository fixtures (stored whole, so a
// change shows as a diff), the real plans under ../shared/real (stored as SHA-256; skipped when absent, required under CI) and the
// benchmark generator's 500-resource plan (SHA-256). Refactors and speed-ups must leave all of them unchanged.
// A deliberate change of output: re-record with `UPDATE_GOLDEN=1 npx vitest run test/collectors/terraform-plan/golden.test.ts`.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM module without type declarations
import { generatePlan } from '../../../bench/plan-generator.mjs';
import { normalisePlan } from '../../../src/collectors/terraform-plan/index.js';
import { itReal, realJson } from '../../support/real-data.js';

const update = process.env.UPDATE_GOLDEN === '1';
const goldenDir = new URL('./__golden__/', import.meta.url);
const fixturesDir = new URL('../../fixtures/plans/', import.meta.url);

const readJson = (path: string | URL): unknown => JSON.parse(readFileSync(path, 'utf8'));
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Whole output, pretty-printed so a failure reads as a diff (same keys, order and values as JSON.stringify). */
function expectWhole(name: string, plan: unknown, label: string): void {
  const actual = JSON.stringify(normalisePlan(plan, label), null, 2);
  const file = new URL(`${name}.json`, goldenDir);
  if (update) writeFileSync(file, `${actual}\n`);
  expect(actual).toBe(readFileSync(file, 'utf8').trimEnd());
}

const hashesFile = new URL('hashes.json', goldenDir);
const hashes: Record<string, string> = existsSync(hashesFile) ? (readJson(hashesFile) as Record<string, string>) : {};

function expectHash(name: string, plan: unknown, label: string): void {
  const actual = sha256(JSON.stringify(normalisePlan(plan, label)));
  if (update) {
    hashes[name] = actual;
    writeFileSync(hashesFile, `${JSON.stringify(hashes, Object.keys(hashes).sort(), 2)}\n`);
  }
  expect(actual, `SHA-256 of normalisePlan output for ${name}`).toBe(hashes[name]);
}

describe('normalisePlan golden output', () => {
  for (const name of ['platform-azurerm4.plan.json', 'bank-azurerm3-legacy.plan.json']) {
    it(`fixture ${name}`, () => {
      expectWhole(name.replace(/\.plan\.json$/, ''), readJson(new URL(name, fixturesDir)), name);
    });
  }

  for (const name of [
    'tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json',
    'tfcompliance_issue-394_storage_tls_public_v0.13.plan.json',
  ]) {
    const path = `a_terraform_plan/${name}`;
    itReal([path], `real plan ${name}`, () => {
      expectHash(name, realJson(path), name);
    });
  }

  it('generated plan of 500 resources', () => {
    expectHash('generated-500', generatePlan(500).plan, 'generated.plan.json');
  });
});
