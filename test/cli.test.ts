// The command line itself: help for every level, and each mistake a user makes is one line, exit 2, in our words.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../src/rules.js';
import { closest } from '../src/suggest.js';
import { compline } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'compline-cli-'));
const plan = join(dir, 'plan.json');
writeFileSync(plan, JSON.stringify({ format_version: '1.2', planned_values: { root_module: {} }, resource_changes: [] }));

/** The one line on stderr of a command that must fail with exit 2, and nothing on stdout. */
function refused(args: string[]): string {
  const r = compline(args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n') && !r.stderr.trimEnd().includes('\n'), r.stderr).toBe(true);
  return r.stderr.trimEnd();
}

describe('help', () => {
  it.each(['checks', 'config'])('compline %s --help prints its subcommands and exits 0', (group) => {
    const r = compline([group, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const subs = group === 'checks' ? ['list', 'show'] : ['validate', 'schema'];
    expect(r.stdout.split('\n')[0]).toBe(`compline ${group} <${subs.join('|')}>`);
    for (const sub of subs) expect(r.stdout).toMatch(new RegExp(`^ {2}compline ${group} ${sub}\\b`, 'm'));
  });

  it('a group without its subcommand names them, exit 2', () => {
    expect(refused(['checks'])).toBe('compline checks: expected a subcommand: list, show (see compline checks --help)');
  });
});

describe('mistyped names', () => {
  it('an unknown option names the nearest one', () => {
    expect(refused(['gate', plan, '--fail-ob', 'high'])).toBe(
      'compline gate: unknown option --fail-ob (did you mean --fail-on?)',
    );
    expect(refused(['run', '--fromat=json'])).toBe('compline run: unknown option --fromat (did you mean --format?)');
  });

  it('an unknown option with nothing close gets no suggestion', () => {
    expect(refused(['gate', plan, '--colour'])).toBe('compline gate: unknown option --colour');
  });

  it('an unknown command or subcommand names the nearest one', () => {
    expect(refused(['gat', plan])).toBe('compline: unknown command gat (did you mean gate?)');
    expect(refused(['chekcs', 'list'])).toBe('compline: unknown command chekcs (did you mean checks?)');
    expect(refused(['checks', 'lst'])).toBe('compline checks: unknown subcommand lst (did you mean list?)');
    expect(refused(['config', 'valid', 'c.yaml'])).toBe('compline config: unknown subcommand valid (did you mean validate?)');
    expect(refused(['audit'])).toBe('compline: unknown command audit (see compline --help)');
    expect(refused(['--versoin'])).toBe('compline: unknown option --versoin (did you mean --version?)');
  });

  it('a mistyped value names the nearest allowed one', () => {
    expect(refused(['gate', plan, '--format', 'srif'])).toBe(
      'compline gate: --format srif: expected one of text, json, sarif, junit, markdown (did you mean sarif?)',
    );
    expect(refused(['run', '--fail-on', 'hihg'])).toBe(
      'compline run: --fail-on hihg: expected one of low, medium, high, critical (did you mean high?)',
    );
    expect(refused(['gate', plan, '--output', 'srif=x.sarif'])).toBe(
      'compline: --output srif=x.sarif: expected FORMAT=PATH with FORMAT one of text, json, sarif, junit, markdown (did you mean sarif?)',
    );
    expect(refused(['checks', 'list', '--framework', 'pci'])).toBe(
      'compline: --framework pci: expected one of pci-dss-4.0.1, sox-itgc, gdpr, soc2 (did you mean pci-dss-4.0.1?)',
    );
  });

  it('nearest means close: a word far from every name gets no suggestion', () => {
    expect(closest('tenats', ['version', 'tenants', 'mapping'])).toBe('tenants');
    expect(closest('colour', ['id', 'name', 'tier', 'frameworks', 'clusters'])).toBeUndefined();
    expect(closest('x', ['run', 'gate'])).toBeUndefined();
  });
});

describe('option values', () => {
  it.each([
    [['gate', plan, '--tenant', ''], 'compline gate: --tenant needs a value'],
    [['gate', plan, '--tenant='], 'compline gate: --tenant needs a value'],
    [['gate', plan, '--config', ''], 'compline gate: --config needs a value'],
    [['gate', plan, '--output', ''], 'compline gate: --output needs a value'],
    [['gate', plan, '--tenant', '--format', 'json'], 'compline gate: --tenant needs a value'],
    [['gate', plan, '--tenant'], 'compline gate: --tenant needs a value'],
    [['run', '--out', ''], 'compline run: --out needs a value'],
    [['checks', 'list', '--framework', ''], 'compline checks list: --framework needs a value'],
  ])('%j is refused', (args, message) => {
    expect(refused(args)).toBe(message);
  });

  it.each(['0', '0K', '0.0001K', '-1', 'NaN', 'lots'])('--max-plan-size %s is refused rather than read as no limit', (size) => {
    expect(refused(['gate', plan, `--max-plan-size=${size}`])).toBe(
      `compline gate: --max-plan-size ${size}: expected a size of at least 1 byte, such as 512M`,
    );
  });

  it('the smallest limit still applies', () => {
    const r = compline(['gate', plan, '--max-plan-size', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plan\.json: .* exceeds the 1 B(ytes?)? plan size limit/);
  });

  it('a missing or extra positional names what was expected', () => {
    expect(refused(['gate'])).toBe('compline gate: missing <plan.json|-> (see compline gate --help)');
    expect(refused(['gate', plan, 'other.json'])).toBe(
      'compline gate: unexpected argument other.json (see compline gate --help)',
    );
    expect(refused(['gate', ''])).toBe('compline gate: <plan.json|-> is empty');
  });
});

describe('checks list --format', () => {
  it('text is the table; table stays accepted as its old name', () => {
    const text = compline(['checks', 'list', '--format', 'text']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^id\s+severity\s+pci-dss-4\.0\.1\s+sox-itgc\s+gdpr\s+soc2\s+title$/);
    expect(compline(['checks', 'list', '--format', 'table']).stdout).toBe(text.stdout);
    expect(compline(['checks', 'list']).stdout).toBe(text.stdout);
  });

  it("--framework gdpr and soc2 list the checks each catalogue maps, with that framework's ids only", async () => {
    const { checks } = await loadCatalogue();
    for (const fw of ['gdpr', 'soc2']) {
      const r = compline(['checks', 'list', '--framework', fw, '--format', 'json']);
      expect(r.code).toBe(0);
      const listed = (JSON.parse(r.stdout) as { id: string }[]).map((c) => c.id).sort();
      expect(listed).toEqual(
        checks
          .filter((c) => c.requirements[fw])
          .map((c) => c.id)
          .sort(),
      );
      const text = compline(['checks', 'list', '--framework', fw]);
      expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^id\\s+severity\\s+${fw}\\s+title$`));
    }
    const gdpr = compline(['checks', 'list', '--framework', 'gdpr']).stdout;
    expect(gdpr).toMatch(/^residency-resource-region\s+high\s+44\s+Every resource a tenant owns/m);
  });
});
