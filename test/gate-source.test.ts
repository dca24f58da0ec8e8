// Findings point at the .tf line of their resource block (root module, local modules nested, count / for_each
// instances sharing one block; registry modules fall back to the plan), and the SARIF that carries it passes
// Microsoft's SARIF validator as well as the OASIS schema.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { resourceBlocks } from '../src/collectors/terraform-plan/terraform-blocks.js';
import { gateCommand, render } from '../src/commands/gate.js';
import { UsageError } from '../src/errors.js';
import type { GateResult } from '../src/reports/gate/gate-result.js';
import { loadCatalogue } from '../src/rules.js';
import { sarifValidator } from './support/sarif-schema.js';

const FIXTURE = new URL('./fixtures/gate-source/', import.meta.url).pathname;
const MULTITOOL = new URL('../node_modules/.bin/sarif-multitool', import.meta.url).pathname;

/** The fixture repository copied to a temporary folder with a .git marker (git cannot hold a nested .git). */
function repository(): string {
  const root = mkdtempSync(join(tmpdir(), 'compline-src-'));
  cpSync(FIXTURE, root, { recursive: true });
  mkdirSync(join(root, '.git'));
  return root;
}

const gate = (plan: string, extra: { sourceDir?: string } = {}) =>
  gateCommand({ plan, failOn: 'critical', unknown: 'warn', format: 'sarif', outputs: [], color: false, ...extra });

const locations = (result: GateResult) =>
  Object.fromEntries(result.findings.filter((f) => f.address).map((f) => [f.address, f.location]));

describe('resource blocks in .tf files', () => {
  it('finds top-level resource headers only, past comments, strings, templates and heredocs', () => {
    const text = [
      '# resource "azurerm_a" "hash" {', // 1
      '// resource "azurerm_a" "slashes" {', // 2
      '/* resource "azurerm_a" "block" {', // 3
      '   still a comment */ resource "azurerm_a" "after_comment" {', // 4
      // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL, not a JavaScript template
      '  name = "x ${format("%s}", "}")} $${not} {"', // 5
      '  nested { resource "azurerm_a" "inner" {} }', // 6
      '}', // 7
      'locals {', // 8
      '  doc = <<-EOT', // 9
      '    resource "azurerm_a" "heredoc" {', // 10
      '    EOT', // 11
      '}', // 12
      'resource azurerm_b bare_labels {', // 13
      '}', // 14
      'x = "resource \\"azurerm_a\\" \\"escaped\\" {"', // 15
      'data "azurerm_c" "ds" {}', // 16
      'resource "azurerm_d" "last" { name = "}" }', // 17
    ].join('\n');
    expect(resourceBlocks(text)).toEqual([
      { type: 'azurerm_a', name: 'after_comment', line: 4 },
      { type: 'azurerm_b', name: 'bare_labels', line: 13 },
      { type: 'azurerm_d', name: 'last', line: 17 },
    ]);
  });

  it('a header whose labels hold a template is not read as a block', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL, not a JavaScript template
    expect(resourceBlocks('resource "azurerm_a" "${var.x}" {\n}\nresource "azurerm_a" "ok" {}\n')).toEqual([
      { type: 'azurerm_a', name: 'ok', line: 3 },
    ]);
  });
});

describe('gate --source-dir', async () => {
  const catalogue = await loadCatalogue();

  it('places root, module and nested-module resources on their block; instances share it; registry modules fall back', async () => {
    const root = repository();
    const { result } = await gate(join(root, 'infra/envs/prod/plan.json'));
    expect(result.source).toEqual({
      root,
      module_dir: 'infra/envs/prod',
      plan: 'infra/envs/prod/plan.json',
      plan_path: join(root, 'infra/envs/prod/plan.json'),
    });
    expect(locations(result)).toEqual({
      'azurerm_resource_group.main': { file: 'infra/envs/prod/main.tf', line: 19 },
      'module.storage.azurerm_storage_account.this[0]': { file: 'infra/modules/storage/main.tf', line: 6 },
      'module.storage.azurerm_storage_account.this[1]': { file: 'infra/modules/storage/main.tf', line: 6 },
      'module.storage.module.containers.azurerm_storage_container.this["exports"]': {
        file: 'infra/modules/storage/containers/main.tf',
        line: 5,
      },
      'module.storage.module.containers.azurerm_storage_container.this["logs"]': {
        file: 'infra/modules/storage/containers/main.tf',
        line: 5,
      },
      'module.vault.azurerm_key_vault.this': null,
    });
  });

  it('writes the place into SARIF, JUnit, Markdown and text', async () => {
    const root = repository();
    const { result, rendered } = await gate(join(root, 'infra/envs/prod/plan.json'));
    const run = JSON.parse(rendered).runs[0];
    expect(run.originalUriBaseIds).toEqual({ SRCROOT: { uri: `file://${root}/` } });
    const exports = run.results.find(
      (r: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
        r.locations[0]?.logicalLocations[0]?.fullyQualifiedName ===
        'module.storage.module.containers.azurerm_storage_container.this["exports"]',
    );
    expect(exports.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/modules/storage/containers/main.tf', uriBaseId: 'SRCROOT' },
      region: { startLine: 5 },
    });
    const vault = run.results.find(
      (r: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
        r.locations[0]?.logicalLocations[0]?.fullyQualifiedName === 'module.vault.azurerm_key_vault.this',
    );
    expect(vault.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/envs/prod/plan.json', uriBaseId: 'SRCROOT' },
    });
    for (const r of run.results) expect(r.locations[0].physicalLocation.artifactLocation.uri).not.toMatch(/^\//);

    const junit = new XMLParser({ ignoreAttributes: false }).parse(render(result, 'junit', catalogue.checks, false));
    const cases: Record<string, string>[] = [junit.testsuites.testsuite]
      .flat()
      .flatMap((s: { testcase: Record<string, string> | Record<string, string>[] }) => [s.testcase].flat());
    const container = cases.find(
      (c) =>
        c['@_name'] === 'module.storage.module.containers.azurerm_storage_container.this["exports"]' &&
        c['@_classname'] === 'storage-container-not-public',
    );
    expect([container?.['@_file'], container?.['@_line']]).toEqual(['infra/modules/storage/containers/main.tf', '5']);
    expect(render(result, 'markdown', catalogue.checks, false)).toContain('(infra/modules/storage/containers/main.tf:5)');
    expect(render(result, 'text', catalogue.checks, false)).toContain(
      'module.storage.azurerm_storage_account.this[0] (infra/modules/storage/main.tf:6)',
    );
  });

  it('an explicit --source-dir names the root module; a plan outside the repository is a file:// URI', async () => {
    const root = repository();
    const elsewhere = mkdtempSync(join(tmpdir(), 'compline-plan-'));
    const plan = join(elsewhere, 'plan.json');
    writeFileSync(plan, readFileSync(join(root, 'infra/envs/prod/plan.json')));
    const { result, rendered } = await gate(plan, { sourceDir: join(root, 'infra/envs/prod') });
    expect(result.source).toMatchObject({ root, module_dir: 'infra/envs/prod', plan: null, plan_path: plan });
    expect(locations(result)['azurerm_resource_group.main']).toEqual({ file: 'infra/envs/prod/main.tf', line: 19 });
    const uris = JSON.parse(rendered).runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    expect(uris).toContain(`file://${plan}`);
    // Without a source folder that holds the blocks, every finding falls back to the plan.
    const bare = await gate(plan);
    expect(Object.values(locations(bare.result)).every((l) => l === null)).toBe(true);
  });

  it('--source-dir that is not a folder is a usage error', async () => {
    const root = repository();
    const plan = join(root, 'infra/envs/prod/plan.json');
    await expect(gate(plan, { sourceDir: join(root, 'nowhere') })).rejects.toThrow(UsageError);
    await expect(gate(plan, { sourceDir: plan })).rejects.toThrow(`--source-dir ${plan}: not a folder`);
  });

  it("passes Microsoft's SARIF validator (sarif-multitool validate) with no error, and the OASIS schema", async () => {
    const root = repository();
    const { rendered } = await gate(join(root, 'infra/envs/prod/plan.json'));
    const log = join(root, 'compline.sarif');
    writeFileSync(log, rendered);
    expect(sarifValidator()(JSON.parse(rendered))).toBe(true);
    // The validator must flag what it should: the absolute-path reference the gate used to write (one run, two logs).
    const broken = JSON.parse(rendered);
    broken.runs[0].results[0].locations[0].physicalLocation.artifactLocation = { uri: `${root}/infra/envs/prod/plan.json` };
    const brokenLog = join(root, 'broken.sarif');
    writeFileSync(brokenLog, JSON.stringify(broken));
    const report = join(root, 'validation.sarif');
    const run = spawnSync(MULTITOOL, ['validate', log, brokenLog, '--output', report, '--log', 'ForceOverwrite'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr || run.stdout).toBe(0);
    type Issue = { level?: string; ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] };
    const errors = (JSON.parse(readFileSync(report, 'utf8')).runs[0].results as Issue[])
      .filter((r) => r.level === 'error')
      .map((r) => `${r.locations[0]?.physicalLocation.artifactLocation.uri.split('/').pop()}: ${r.ruleId}`);
    expect(errors).toEqual(['broken.sarif: SARIF1004']);
  });
});
