// The package as npm users get it: `npm pack`, installed from the tarball in a fresh folder with its runtime
// dependencies only, and `npx compline gate plan.json` run there. Metadata comes from the local npm cache where it can
// (--prefer-offline); the registry is asked only for what the cache lacks.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

const npm = (args: string[], cwd: string) => {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// A minute or two on a loaded 2-core machine (npm resolves ~250 packages): `npm run test:pack` runs it; the default
// suite leaves it out so it stays fast.
describe.skipIf(!process.env.COMPLINE_PACK_TEST)('npm package (npm run test:pack)', () => {
  it('installs from its packed tarball with runtime dependencies only and gates a plan with npx compline', () => {
    const work = mkdtempSync(join(tmpdir(), 'compline-pack-'));
    const packed = npm(['pack', '--json', '--pack-destination', work], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/catalogue.snapshot.json');
    expect(files).toContain('src/checks/macros.sql');
    expect(files).toContain('compline.schema.json');
    // Nothing of the repository's own: tests, the demo estate, sources other than the rule folders.
    expect(files.filter((f) => /^(test|demo|bench|schedules)\/|^src\/(?!checks\/)/.test(f))).toEqual([]);

    const app = join(work, 'app');
    spawnSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), '{ "name": "gate-user", "private": true }\n');
    const installed = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, info!.filename)], app);
    expect(installed.code, installed.stderr).toBe(0);
    const modules = readdirSync(join(app, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'azurite', '@biomejs', 'fast-check', 'smtp-server', 'ajv'])
      expect(modules, dev).not.toContain(dev);
    expect(existsSync(join(app, 'node_modules/.bin/compline'))).toBe(true);

    copyFileSync(join(ROOT, 'test/fixtures/plans/platform-azurerm4.plan.json'), join(app, 'plan.json'));
    const gate = spawnSync('npx', ['--no-install', 'compline', 'gate', 'plan.json', '--format', 'json'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(gate.status, gate.stderr).toBe(1);
    const result = JSON.parse(gate.stdout) as { exit_code: number; summary: Record<string, number> };
    expect(result.exit_code).toBe(1);
    expect(result.summary).toMatchObject({ fail: 32, pass: 57 });
  }, 240_000);
});
