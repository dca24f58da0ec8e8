// compline.yaml validation: every problem one line with its path, exit 2; the published schema stays in sync.
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { compline, ROOT } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'compline-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SUB = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
const tenant = (extra = '') => `
  - id: bank_alpha
    name: Bank Alpha
    tier: enterprise
    frameworks: [pci-dss-4.0.1]
    environments: [prod]${extra}`;

describe('compline.yaml', () => {
  it('the demo config is valid', () => {
    const r = compline(['config', 'validate', 'demo/compline.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid — 3 tenants, 2 waivers/);
    expect(r.stdout).toMatch(/warning: waiver WVR-2025-090 \(kv-purge-protection\) expired on 2025-09-30/);
  });

  it('the live example config is valid', () => {
    const r = compline(['config', 'validate', 'examples/live/compline.yaml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/valid — 2 tenants/);
  });

  const bad: [string, string, RegExp][] = [
    [
      'wrong tier',
      `version: 1\ntenants:${tenant().replace('enterprise', 'platinum')}\n`,
      /tenants\[0\]\.tier: expected one of standard, premium, enterprise$/m,
    ],
    ['unknown key', `version: 1\ntenants:${tenant('\n    colour: blue')}\n`, /tenants\[0\]: unknown key colour$/m],
    [
      'unknown top-level key',
      `version: 1\nteants: []\ntenants:${tenant()}\n`,
      /\(root\): unknown key teants \(did you mean tenants\?\)$/m,
    ],
    ['wrong type', `version: 1\ntenants:${tenant().replace('[prod]', 'prod')}\n`, /tenants\[0\]\.environments: expected array$/m],
    [
      'bad framework',
      `version: 1\ntenants:${tenant().replace('pci-dss-4.0.1', 'pci-dss-3.2')}\n`,
      /tenants\[0\]\.frameworks\[0\]: expected one of pci-dss-4.0.1, sox-itgc, gdpr, soc2$/m,
    ],
    ['malformed YAML', `version: 1\ntenants: [\n`, /:\d+:\d+ invalid YAML/],
    ['duplicate tenant', `version: 1\ntenants:${tenant()}${tenant()}\n`, /tenants\[1\]\.id: duplicate tenant id bank_alpha$/m],
    [
      'waiver on an unknown check',
      `version: 1\ntenants:${tenant()}\nwaivers:\n  - { id: W1, check: no-such-check, resource: "*", reason: r, approver: a, ticket: T-1, expires: "2030-01-01" }\n`,
      /waivers\[0\]\.check: no check no-such-check$/m,
    ],
    [
      'waiver without expiry date',
      `version: 1\ntenants:${tenant()}\nwaivers:\n  - { id: W1, check: kv-purge-protection, resource: "*", reason: r, approver: a, ticket: T-1, expires: soon }\n`,
      /waivers\[0\]\.expires: /m,
    ],
    [
      'unknown check parameter',
      `version: 1\ntenants:${tenant()}\ncheck_params:\n  kv-purge-protection: { days: 3 }\n`,
      /check_params\.kv-purge-protection\.days: kv-purge-protection has no parameter days$/m,
    ],
    [
      'webhook without url_env',
      `version: 1\ntenants:${tenant()}\nalerts:\n  routes:\n    - { tenant: bank_alpha, kind: webhook }\n`,
      /alerts\.routes\[0\]\.url_env: required for a webhook route$/m,
    ],
    [
      'webhook without a signing key',
      `version: 1\ntenants:${tenant()}\nalerts:\n  routes:\n    - { tenant: bank_alpha, kind: webhook, url_env: HOOK }\n`,
      /alerts\.routes\[0\]\.secret_env: required for a webhook route \(its messages are signed\)$/m,
    ],
    [
      'e-mail route without an SMTP server',
      `version: 1\ntenants:${tenant()}\nalerts:\n  routes:\n    - { tenant: bank_alpha, kind: email, to: [soc@bank.example] }\n`,
      /alerts\.smtp: required for an email route \(alerts\.routes\[0\]\)$/m,
    ],
    [
      'a misspelt alert kind',
      `version: 1\ntenants:${tenant()}\nalerts:\n  routes:\n    - { tenant: bank_alpha, kind: team, url_env: HOOK }\n`,
      /alerts\.routes\[0\]\.kind: /m,
    ],
    [
      'live source without the azure connection',
      `version: 1\ntenants:${tenant()}\nsources: { resource_graph: { mode: live } }\n`,
      /: azure: required for sources\.resource_graph\.mode: live$/m,
    ],
    [
      'policy states live without the azure connection',
      `version: 1\ntenants:${tenant()}\nsources: { policy: { mode: live } }\n`,
      /: azure: required for sources\.policy\.mode: live$/m,
    ],
    [
      'a misspelt policy source option',
      `version: 1\ntenants:${tenant()}\nsources: { policy: { mode: live, initiative: [] } }\n`,
      /: sources\.policy: unknown key initiative \(did you mean initiatives\?\)$/m,
    ],
    [
      'a policy assignment id that is not one',
      `version: 1\ntenants:${tenant()}\nsources: { policy: { mode: live, assignments: ["/subscriptions/${SUB}/providers/Microsoft.Authorization/policyAssignments/it's"] } }\n`,
      /: sources\.policy\.assignments\[0\]: expected a policyAssignments id, e\.g\. \/providers\/Microsoft\.Authorization\/policyAssignments\/<name>$/m,
    ],
    [
      'a client secret written into the file',
      `version: 1\ntenants:${tenant()}\nazure:\n  subscriptions: [${SUB}]\n  credential: { kind: client_secret, tenant_id: ${SUB}, client_id: ${SUB}, secret: s3cr3t }\n`,
      /azure\.credential: unknown key secret \(did you mean secret_env\?\)$/m,
    ],
    [
      'an ARM endpoint over plain http',
      `version: 1\ntenants:${tenant()}\nazure:\n  subscriptions: [${SUB}]\n  cloud: { arm_endpoint: "http://arm.example", authority_host: "https://login.example" }\n`,
      /azure\.cloud\.arm_endpoint: expected an https:\/\/ URL$/m,
    ],
    [
      'an unknown cloud',
      `version: 1\ntenants:${tenant()}\nazure: { cloud: mars, subscriptions: [${SUB}] }\n`,
      /azure\.cloud: expected public, usgov, china or \{ arm_endpoint, authority_host \}$/m,
    ],
  ];
  it.each(bad)('%s → exit 2 naming the path', (name, text, message) => {
    const path = file(`${name.replace(/\W+/g, '-')}.yaml`, text);
    const r = compline(['config', 'validate', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    for (const line of r.stderr.trim().split('\n')) expect(line).toContain(path);
  });

  it('reports every problem, one per line', () => {
    const text = `version: 2\ntenants:${tenant().replace('enterprise', 'gold').replace('Bank Alpha', '""')}\n`;
    expect(() => parseConfig(text, 'c.yaml')).toThrow(
      /c\.yaml: version: .*\nc\.yaml: tenants\[0\]\.name: .*\nc\.yaml: tenants\[0\]\.tier: expected one of/,
    );
  });

  describe('every problem in one pass', () => {
    // A schema problem, a cross-field one and two the catalogue finds, each in a different block.
    const text = `version: 1
tenants:${tenant().replace('enterprise', 'gold')}
waivers:
  - { id: W1, check: kv-purge-protecton, resource: "*", reason: r, approver: a, ticket: T-1, expires: "2030-01-01", tenant: bank_alpa }
check_params:
  kv-soft-delete-retention: { min_dayz: 3 }
`;
    const expected = (path: string) =>
      [
        `${path}: tenants[0].tier: expected one of standard, premium, enterprise`,
        `${path}: waivers[0].tenant: no tenant bank_alpa (did you mean bank_alpha?)`,
        `${path}: waivers[0].check: no check kv-purge-protecton (did you mean kv-purge-protection?)`,
        `${path}: check_params.kv-soft-delete-retention.min_dayz: kv-soft-delete-retention has no parameter min_dayz (did you mean min_days?)`,
      ].join('\n');

    it('config validate prints schema and catalogue problems together', () => {
      const path = file('all-at-once.yaml', text);
      const r = compline(['config', 'validate', path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`compline: ${expected(path)}\n`);
    });

    it.each([
      ['run', (path: string) => ['run', '--config', path]],
      ['gate', (path: string) => ['gate', join(ROOT, 'package.json'), '--config', path]],
    ])('%s --config prints the same set', (_name, args) => {
      const path = file('all-at-once.yaml', text);
      const r = compline(args(path));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`compline: ${expected(path)}\n`);
    });

    it('a misspelt key says which it means, and the problems inside its block still show', () => {
      const path = file(
        'misspelt.yaml',
        `version: 1\ntenats:${tenant().replace('enterprise', 'gold').replace('tier:', 'teir:')}\n`,
      );
      const r = compline(['config', 'validate', path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `compline: ${[
          `${path}: (root): unknown key tenats (did you mean tenants?)`,
          `${path}: tenats[0]: unknown key teir (did you mean tier?)`,
          `${path}: tenats[0].teir: expected one of standard, premium, enterprise`,
        ].join('\n')}\n`,
      );
    });

    it('a state key pattern with a misspelt or a missing placeholder is one problem, said once', () => {
      for (const key of ['customers/{tenat}/{env}/terraform.tfstate', 'customers/{tenant}/terraform.tfstate'])
        expect(() =>
          parseConfig(
            `version: 1\ntenants:${tenant()}\nsources: { terraform: { mode: folder, path: states, keys: ["${key}"] } }\n`,
            'c.yaml',
          ),
        ).toThrow(/^c\.yaml: sources\.terraform\.keys\[0\]: expected a key pattern naming \{tenant\} and \{env\}$/);
    });

    it('an unknown key far from every known one gets no suggestion, and a missing key is called required', () => {
      expect(() => parseConfig(`version: 1\ncolour: blue\n`, 'c.yaml')).toThrow(
        /^c\.yaml: \(root\): unknown key colour\nc\.yaml: tenants: required$/,
      );
    });
  });

  it('a huge file is refused before it is read', () => {
    const path = join(dir, 'huge.yaml');
    writeFileSync(path, '');
    truncateSync(path, 64 * 1024 ** 2);
    const r = compline(['config', 'validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`compline: ${path}: 67108864 bytes is too large for a config file (limit 4 MiB)`);
  });

  it('a missing file is exit 2 with one line', () => {
    const r = compline(['config', 'validate', join(dir, 'absent.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/absent\.yaml: no such config file$/m);
  });

  it('a folder is exit 2 naming it, for validate and for run', () => {
    expect(compline(['config', 'validate', dir]).stderr).toBe(`compline: ${dir}: is a folder, not a config file\n`);
    const r = compline(['run', '--config', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`compline: ${dir}: is a folder, not a config file\n`);
  });

  it('compline config schema prints the published schema', () => {
    const published = JSON.parse(readFileSync(join(ROOT, 'compline.schema.json'), 'utf8'));
    expect(JSON.parse(compline(['config', 'schema']).stdout)).toEqual(published);
  });
});
