// The GitHub Action: action.yml's wiring, and its script run with the environment a workflow gives it (INPUT_*,
// GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP), against the built CLI.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './support/cli.js';

const SCRIPT = join(ROOT, 'action/run.sh');

function workflow(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'compline-action-'));
  cpSync(join(ROOT, 'test/fixtures/gate-source'), join(dir, 'repo'), { recursive: true });
  mkdirSync(join(dir, 'repo/.git'));
  mkdirSync(join(dir, 'runner-temp'));
  const summary = join(dir, 'step-summary.md');
  const output = join(dir, 'github-output');
  writeFileSync(summary, '## earlier step\n');
  writeFileSync(output, '');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    RUNNER_TEMP: join(dir, 'runner-temp'),
    COMPLINE_COMMAND: `node ${join(ROOT, 'dist/cli.js')}`,
    ...inputs,
  };
  const run = spawnSync('bash', [SCRIPT], { cwd: join(dir, 'repo'), env, encoding: 'utf8', timeout: 60_000 });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { run, outputs, summary: readFileSync(summary, 'utf8'), dir };
}

describe('GitHub Action', () => {
  it('action.yml is a composite action on Node 24 whose gate step passes every input to the script', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['plan', 'config', 'tenant', 'fail-on', 'unknown', 'source-dir', 'sarif']),
    );
    const steps = action.runs.steps as {
      uses?: string;
      id?: string;
      with?: Record<string, unknown>;
      env?: Record<string, string>;
    }[];
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(24);
    expect(steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
    const gate = steps.find((s) => s.id === 'gate');
    const script = readFileSync(SCRIPT, 'utf8');
    for (const input of ['plan', 'config', 'tenant', 'fail-on', 'unknown', 'source-dir']) {
      const name = `INPUT_${input.toUpperCase().replace(/-/g, '_')}`;
      expect(gate?.env?.[name], name).toBe(`\${{ inputs.${input} }}`);
      expect(script, name).toMatch(new RegExp(`\\$\\{?${name}\\b`));
    }
  });

  it('runs the gate, appends the Markdown summary, sets outputs and exits with the gate’s code (1)', () => {
    const { run, outputs, summary } = workflow({
      INPUT_PLAN: 'infra/envs/prod/plan.json',
      INPUT_FAIL_ON: 'critical',
      INPUT_UNKNOWN: 'warn',
      INPUT_CONFIG: '',
      INPUT_TENANT: '',
      INPUT_SOURCE_DIR: '',
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('storage-container-not-public');
    expect(summary.startsWith('## earlier step\n')).toBe(true);
    expect(summary).toContain('❌ Compline gate failed: 1 blocking finding (fail-on critical)');
    expect(summary).toContain('(infra/modules/storage/containers/main.tf:5)');
    expect(outputs['exit-code']).toBe('1');
    const sarif = JSON.parse(readFileSync(outputs.sarif as string, 'utf8'));
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
  });

  it('an explicit source-dir is passed on', () => {
    const { run, outputs } = workflow({
      INPUT_PLAN: 'infra/envs/prod/plan.json',
      INPUT_FAIL_ON: 'critical',
      INPUT_SOURCE_DIR: 'infra/modules',
    });
    expect(run.status, run.stderr).toBe(1);
    // The root module is now infra/modules, which holds no resource block of the plan's root: none is placed there.
    const results = JSON.parse(readFileSync(outputs.sarif as string, 'utf8')).runs[0].results;
    expect(
      results.some((r: { locations: { physicalLocation: { region?: unknown } }[] }) => r.locations[0]?.physicalLocation.region),
    ).toBe(false);
  });

  it('bad input exits 2 with the gate’s message and leaves the step summary alone', () => {
    const { run, outputs, summary } = workflow({ INPUT_PLAN: 'infra/envs/prod/plan.json', INPUT_UNKNOWN: 'maybe' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--unknown');
    expect(summary).toBe('## earlier step\n');
    expect(outputs['exit-code']).toBe('2');
    expect(outputs.sarif).toBeUndefined();
  });

  it('a missing plan input exits 2 and says so', () => {
    const { run, outputs, dir } = workflow({});
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('input plan is required');
    expect(outputs['exit-code']).toBe('2');
    expect(existsSync(join(dir, 'runner-temp', 'compline'))).toBe(false);
  });
});
