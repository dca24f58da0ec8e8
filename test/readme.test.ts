// The README is the front door: every command and option the CLI accepts is documented there, and the CI examples parse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compline, ROOT } from './support/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const help = compline(['--help']).stdout;
const commands = [...help.matchAll(/^ {2}([a-z]+(?: [a-z]+)?)\s{2,}/gm)].map((m) => m[1]!);

describe('README', () => {
  it('names the two front-door commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('lists the CLI commands', () => {
    expect(commands).toEqual([
      'run',
      'merge',
      'doctor',
      'gate',
      'checks list',
      'checks show',
      'rules list',
      'rules show',
      'verify',
      'replay',
      'prices refresh',
      'config validate',
      'config schema',
    ]);
  });

  it.each(commands)('documents every option of %s', (command) => {
    expect(readme).toContain(`compline ${command}`);
    const usage = compline([...command.split(' '), '--help']).stdout;
    const options = [...new Set([...usage.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]))].filter((o) => o !== '--help');
    for (const option of options) expect(readme, `${command} ${option}`).toContain(option);
  });

  it('documents every exit code the CLI names', () => {
    for (const code of ['0', '1', '2', '3', '4', '5', '6', '7']) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('CI examples are valid YAML and call the gate with options it has', () => {
    const usage = compline(['gate', '--help']).stdout;
    for (const file of ['azure-pipelines.yml']) {
      const text = readFileSync(join(ROOT, 'examples/ci', file), 'utf8');
      expect(() => parse(text)).not.toThrow();
      // The command line: from `compline gate plan.json` through its backslash continuations.
      const lines = text.slice(text.indexOf('compline gate plan.json')).split('\n');
      const call = lines.slice(0, lines.findIndex((l) => !l.trimEnd().endsWith('\\')) + 1).join('\n');
      const options = [...call.matchAll(/(--[a-z][a-z-]+)/g)].map((m) => m[1]!);
      expect(options.length).toBeGreaterThan(2);
      for (const option of options) expect(usage, `${file} uses ${option}`).toContain(option);
    }
  });

  it('the GitHub Actions example uses the action with inputs it declares', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    const example = parse(readFileSync(join(ROOT, 'examples/ci/github-actions.yml'), 'utf8'));
    const steps = Object.values(example.jobs as Record<string, { steps: { uses?: string; with?: object }[] }>).flatMap(
      (j) => j.steps,
    );
    const gate = steps.find((s) => s.uses === './');
    expect(gate, 'a step uses the action of this repository').toBeDefined();
    expect(Object.keys(gate?.with ?? {}).filter((k) => !(k in action.inputs))).toEqual([]);
    expect(Object.keys(gate?.with ?? {})).toEqual(expect.arrayContaining(['plan', 'fail-on', 'sarif']));
  });
});
