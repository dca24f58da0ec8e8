// Conformance tests over ../shared/real: under CI a missing folder or a renamed file fails the run instead of
// skipping, so the conformance suite cannot vanish unnoticed; a local run without the data skips and says so.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inCI, realDataPlan } from './support/real-data.js';

const dir = `${mkdtempSync(join(tmpdir(), 'compline-real-'))}/`;
mkdirSync(join(dir, 'a_terraform_plan'));
writeFileSync(join(dir, 'a_terraform_plan', 'present.json'), '{}');

describe('real data', () => {
  it('runs a test whose files are all there, in CI or not', () => {
    expect(realDataPlan(['a_terraform_plan/present.json'], dir, true)).toEqual({ run: true });
    expect(realDataPlan(['a_terraform_plan/present.json'], dir, false)).toEqual({ run: true });
  });

  it('under CI, fails a test whose file was renamed away, naming the file', () => {
    expect(realDataPlan(['a_terraform_plan/present.json', 'a_terraform_plan/renamed.json'], dir, true)).toEqual({
      run: false,
      fail: true,
      message: `real data missing under CI: ${dir}a_terraform_plan/renamed.json`,
    });
  });

  it('under CI, fails every test when the folder is absent', () => {
    expect(realDataPlan(['x.json'], `${dir}absent/`, true)).toEqual({
      run: false,
      fail: true,
      message: `real data missing under CI: ${dir}absent/ (the whole folder)`,
    });
  });

  it('outside CI, skips with a message naming what is absent', () => {
    expect(realDataPlan(['a_terraform_plan/renamed.json'], dir, false)).toEqual({
      run: false,
      fail: false,
      message: `skipped, real data absent: ${dir}a_terraform_plan/renamed.json`,
    });
  });

  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
    ['True', true],
  ])('CI=%s is CI: %s', (value, expected) => {
    expect(inCI(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});
