// `compline run` beyond the demo: history in one store, Parquet export, fail-closed sources, atomic outputs.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unzipFiles } from '../src/evidence/zip.js';
import { localFolderWriter } from '../src/reports/output-writer.js';
import { compline, permissionsApply } from './support/cli.js';
import { queryStore, TWO_TENANTS, vaultRow } from './support/store-query.js';

const vault = (name: string, rg: string, purge: boolean | undefined) =>
  vaultRow(name, rg, purge === undefined ? {} : { enablePurgeProtection: purge });

function workspace(files: Record<string, unknown>, extraConfig = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-run-'));
  mkdirSync(join(dir, 'estate'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, 'estate', name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  writeFileSync(
    join(dir, 'compline.yaml'),
    `${TWO_TENANTS}signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
${extraConfig}`,
  );
  return dir;
}

const report = (dir: string, runId: string, tenant: string) =>
  JSON.parse(readFileSync(join(dir, 'out', runId, tenant, 'report.json'), 'utf8'));

describe('compline run', () => {
  it('keeps history across runs in one store, remembers when a failure was first seen, exports Parquet', async () => {
    const dir = workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', false), vault('kv-z', 'rg-zeta-prod', true)] } });
    const first = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(first.code).toBe(0);
    const second = compline([
      'run',
      '--config',
      join(dir, 'compline.yaml'),
      '--format',
      'json',
      '--parquet',
      join(dir, 'parquet'),
    ]);
    expect(second.code).toBe(0);
    const [a, b] = [JSON.parse(first.stdout).run_id, JSON.parse(second.stdout).run_id];
    expect(a).not.toBe(b);
    const store = join(dir, 'store/compline.duckdb');
    // Ok: the source was read completely (other vault checks lacking evidence are error verdicts, not a partial run).
    expect(await queryStore(store, `select run_id, mode, status from runs order by started_at`)).toEqual([
      { run_id: a, mode: 'nightly', status: 'ok' },
      { run_id: b, mode: 'nightly', status: 'ok' },
    ]);
    const firstSeen = await queryStore(
      store,
      // Run ids sort by second only (two runs in one second differ by their random suffix): order by start.
      `select f.run_id, f.first_seen_run from findings f join runs using (run_id)
       where f.check_id = 'kv-purge-protection' and f.status = 'fail' order by runs.started_at`,
    );
    expect(firstSeen).toEqual([
      { run_id: a, first_seen_run: a },
      { run_id: b, first_seen_run: a },
    ]);
    const parquet = join(dir, 'parquet', b);
    expect(readdirSync(parquet).sort()).toContain('findings.parquet');
    const rows = await queryStore(
      ':memory:',
      `select distinct run_id, count(*) over () as n from '${parquet}/resources.parquet'`,
    );
    expect(rows).toEqual([{ run_id: b, n: '2' }]);
    // Each tenant's report holds its own vault only.
    expect(report(dir, b, 'acme').findings.map((f: { resource_id: string }) => f.resource_id.split('/').pop())).toEqual(
      expect.arrayContaining(['kv-a']),
    );
    expect(JSON.stringify(report(dir, b, 'acme'))).not.toContain('kv-z');
    expect(JSON.stringify(report(dir, b, 'zeta'))).not.toContain('kv-a');
  });

  it("names a file of one tenant's resources in that tenant's report and pack only; a mixed file stays the platform's", async () => {
    const dir = workspace({
      'acme.json': { data: [vault('kv-a', 'rg-acme-prod', true)] },
      'zeta.json': { data: [vault('kv-z', 'rg-zeta-prod', true)] },
      'mixed.json': { data: [vault('kv-a2', 'rg-acme-prod', true), vault('kv-z2', 'rg-zeta-prod', true)] },
      'empty.json': { data: [] },
      // Partial: the rows it lacks may be anyone's, so every tenant's report names it, whoever owns the rows it has.
      'partial.json': { totalRecords: 3, count: 1, $skipToken: 'next', data: [vault('kv-a3', 'rg-acme-prod', true)] },
    });
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(4);
    const runId = JSON.parse(r.stdout).run_id;
    const scopes = (tenant: string) =>
      report(dir, runId, tenant).sources.map((s: { scope: string; tenant_id: string | null }) => [s.scope, s.tenant_id]);
    expect(scopes('acme')).toEqual([
      ['file:estate/acme.json', 'acme'],
      ['file:estate/empty.json', null],
      ['file:estate/mixed.json', null],
      ['file:estate/partial.json', null],
    ]);
    expect(scopes('zeta')).toEqual([
      ['file:estate/empty.json', null],
      ['file:estate/mixed.json', null],
      ['file:estate/partial.json', null],
      ['file:estate/zeta.json', 'zeta'],
    ]);
    expect(scopes('_platform').map(([scope]: string[]) => scope)).toEqual([
      'file:estate/acme.json',
      'file:estate/empty.json',
      'file:estate/mixed.json',
      'file:estate/partial.json',
      'file:estate/zeta.json',
    ]);
    const pack = join(dir, 'out', runId, 'zeta', `zeta-${runId}.zip`);
    const packed = (await unzipFiles(readFileSync(pack))).get('evidence/sources.json')!.toString('utf8');
    expect(JSON.parse(packed).scopes.map((s: { scope: string }) => s.scope)).toEqual([
      'file:estate/empty.json',
      'file:estate/mixed.json',
      'file:estate/partial.json',
      'file:estate/zeta.json',
    ]);
  });

  it('a broken estate file makes the run partial (exit 4) and the dependent checks error, never pass', () => {
    const dir = workspace({
      'good.json': { data: [vault('kv-a', 'rg-acme-prod', true)] },
      'broken.json': '{"data": [ {"id": ',
    });
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'partial', exit_code: 4, sources: { ok: 1, partial: 0, failed: 1 } });
    expect(r.stderr).toMatch(
      /^compline: run partial: 1 of 2 source scopes incomplete \(resource-graph failed for file:estate\/broken\.json: not JSON/m,
    );
    expect(r.stderr).toMatch(/warn: resource-graph failed for file:estate\/broken\.json: not JSON/);
    const acme = report(dir, out.run_id, 'acme');
    const purge = acme.findings.filter((f: { check_id: string }) => f.check_id === 'kv-purge-protection');
    expect(purge.map((f: { status: string }) => f.status)).toEqual(['error', 'error']);
    expect(purge.map((f: { resource_id: string }) => f.resource_id)).toContain('source://resource-graph/file:estate/broken.json');
    expect(acme.findings.filter((f: { status: string }) => f.status === 'pass')).toEqual([]);
    expect(acme.sources.find((s: { scope: string }) => s.scope === 'file:estate/broken.json')).toMatchObject({
      status: 'failed',
    });
  });

  it('a Resource Graph page with a skip token is a partial source: verdicts it feeds are errors, the scope is a finding', async () => {
    const dir = workspace({
      'page1.json': {
        totalRecords: 5,
        count: 2,
        $skipToken: 'ew0KICAiJGlkIjogIjEiLA0KICAiTWF4Um93cyI6IDIsDQp9',
        data: [vault('kv-a', 'rg-acme-prod', true), vault('kv-z', 'rg-zeta-prod', true)],
      },
    });
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.stderr).toMatch(
      /warn: resource-graph partial for file:estate\/page1\.json: page has a skip token: 3 rows not in the file/,
    );
    const runId = JSON.parse(r.stdout).run_id;
    const partial = {
      source: 'resource-graph',
      scope: 'file:estate/page1.json',
      status: 'partial',
      error: 'page has a skip token: 3 rows not in the file',
      rows: 2,
    };
    expect(
      await queryStore(
        join(dir, 'store/compline.duckdb'),
        `select source, scope, status, error, rows::integer as rows from source_status where run_id = '${runId}'`,
      ),
    ).toEqual([partial]);
    for (const [tenant, kv] of [
      ['acme', 'kv-a'],
      ['zeta', 'kv-z'],
      ['_platform', null],
    ] as const) {
      const doc = report(dir, runId, tenant);
      expect(doc.sources).toEqual([{ ...partial, tenant_id: null }]);
      // Purge protection is on, yet nothing passes: the page holds only part of the estate.
      expect(doc.findings.filter((f: { status: string }) => f.status === 'pass')).toEqual([]);
      const purge = doc.findings.filter((f: { check_id: string }) => f.check_id === 'kv-purge-protection');
      expect(purge.map((f: { resource_id: string; status: string }) => [f.resource_id, f.status]).sort()).toEqual(
        [
          ...(kv ? [[vault(kv, `rg-${tenant}-prod`, true).id.toLowerCase(), 'error']] : []),
          ['source://resource-graph/file:estate/page1.json', 'error'],
        ].sort(),
      );
      for (const f of purge)
        expect(f.reason).toMatch(/^source resource-graph partial for file:estate\/page1\.json: page has a skip token/);
      const scope = purge.find(
        (f: { resource_id: string }) => f.resource_id === 'source://resource-graph/file:estate/page1.json',
      );
      expect(scope.evidence).toEqual({ source: 'resource-graph', scope: 'file:estate/page1.json', status: 'partial', rows: 2 });
    }
  });

  it('a Resource Graph page holding fewer rows than its totalRecords is partial; one that matches says so', async () => {
    const dir = workspace({
      'short.json': {
        totalRecords: 3,
        count: 2,
        data: [vault('kv-a', 'rg-acme-prod', true), vault('kv-z', 'rg-zeta-prod', true)],
      },
      'whole.json': { totalRecords: 1, count: 1, data: [vault('kv-b', 'rg-acme-prod', true)] },
    });
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(4);
    const runId = JSON.parse(r.stdout).run_id;
    expect(
      await queryStore(
        join(dir, 'store/compline.duckdb'),
        `select scope, status, error, reconciliation from source_status where run_id = '${runId}' order by scope`,
      ),
    ).toEqual([
      {
        scope: 'file:estate/short.json',
        status: 'partial',
        error: '2 rows in the file, Resource Graph counted 3',
        reconciliation: null,
      },
      {
        scope: 'file:estate/whole.json',
        status: 'ok',
        error: null,
        reconciliation: "1 rows matched Resource Graph's totalRecords",
      },
    ]);
  });

  it('an estate file that is not JSON is reported without quoting its content', () => {
    const dir = workspace({ 'export.json': 'hunter2-PLANTED-secret is not a resource graph export' });
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/warn: resource-graph failed for file:estate\/export\.json: not JSON \(/);
    const reports = readdirSync(join(dir, 'out', JSON.parse(r.stdout).run_id));
    for (const tenant of reports) {
      expect(readFileSync(join(dir, 'out', JSON.parse(r.stdout).run_id, tenant, 'report.json'), 'utf8')).not.toContain('PLANTED');
    }
    expect(r.stderr + r.stdout).not.toContain('PLANTED');
  });

  it('--fail-on turns failing findings into exit 1 and says why in one line', () => {
    const dir = workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', false)] } });
    const high = compline(['run', '--config', join(dir, 'compline.yaml'), '--fail-on', 'high']);
    expect(high.code).toBe(1);
    expect(high.stderr).toMatch(/^compline: \d+ failing findings? at or above high \(--fail-on high\)$/m);
    const critical = compline(['run', '--config', join(dir, 'compline.yaml'), '--fail-on', 'critical']);
    expect(critical.code).toBe(0);
    expect(critical.stderr).not.toMatch(/^compline:/m);
  });

  it('a live source without the azure connection is refused with exit 2 and nothing written', () => {
    const dir = workspace({});
    const config = readFileSync(join(dir, 'compline.yaml'), 'utf8').replace('{ mode: file, paths: [estate] }', '{ mode: live }');
    writeFileSync(join(dir, 'compline.yaml'), config);
    const r = compline(['run', '--config', join(dir, 'compline.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/compline\.yaml: azure: required for sources\.resource_graph\.mode: live$/m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('what a scheduler sees', () => {
  const run = (dir: string, ...args: string[]) =>
    compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json', ...args]);

  it('a run whose source saw nothing is failed with exit 4, whatever --fail-on says', async () => {
    const dir = workspace({});
    writeFileSync(
      join(dir, 'compline.yaml'),
      readFileSync(join(dir, 'compline.yaml'), 'utf8').replace('paths: [estate]', 'paths: [estat]'),
    );
    for (const args of [[], ['--fail-on', 'low']]) {
      const r = run(dir, ...args);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', exit_code: 4, sources: { ok: 0, partial: 0, failed: 1 } });
      expect(r.stderr).toMatch(
        /^compline: run failed: no resources collected \(resource-graph failed for file:estat: cannot read estat \(ENOENT\)\)$/m,
      );
    }
    expect(await queryStore(join(dir, 'store/compline.duckdb'), 'select distinct status from runs')).toEqual([
      { status: 'failed' },
    ]);
  });

  it('an empty estate folder is a failed source, not an empty estate', () => {
    const r = run(workspace({}));
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).status).toBe('failed');
    expect(r.stderr).toMatch(/resource-graph failed for file:estate: no \.json files in estate/);
  });

  it('a complete run with error verdicts is ok, not partial: errors are counted, the run saw everything', () => {
    // These vaults carry only enablePurgeProtection, so other vault checks lack evidence (error verdicts).
    const r = run(workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', true)] } }));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'ok', exit_code: 0, sources: { ok: 1, partial: 0, failed: 0 } });
    expect(out.tenants.acme['pci-dss-4.0.1'].error).toBeGreaterThan(0);
  });
});

describe('a run signs its reports', () => {
  it('a config without a signer: exit 2 naming the two ways out, before anything is written', () => {
    const dir = workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', true)] } });
    const config = join(dir, 'compline.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('signer: { demo: true }\n', ''));
    const r = compline(['run', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `compline: ${config}: signer: compline run signs every report and evidence pack; configure a key (key_file, or key_vault) or, to try Compline, \`signer: { demo: true }\` (reports marked DEMO, not for audit use)\n`,
    );
    expect(readdirSync(dir).sort()).toEqual(['compline.yaml', 'estate']);
  });
});

describe('outputs of a run appear together or not at all', () => {
  const published = (dir: string) => (existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []);

  it('--parquet that cannot be written: no report folder, no staging folder, no run in the history', async () => {
    const dir = workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', false)] } });
    writeFileSync(join(dir, 'parquet-is-a-file'), '');
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--parquet', join(dir, 'parquet-is-a-file')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/parquet-is-a-file/);
    expect(published(dir)).toEqual([]);
    const store = join(dir, 'store/compline.duckdb');
    if (existsSync(store)) expect(await queryStore(store, 'select count(*)::integer as n from runs')).toEqual([{ n: 0 }]);
  });

  it('--store on an unusable path: nothing staged or published', () => {
    const dir = workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', false)] } });
    mkdirSync(join(dir, 'a-folder'));
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--store', join(dir, 'a-folder')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/a-folder/);
    expect(published(dir)).toEqual([]);
  });
});

describe('output paths: a mistake is exit 2 naming the path, before any work', () => {
  /** A workspace with a regular file, `file`, where a folder is needed; the run must leave it as it was. */
  function refused(args: (dir: string) => string[], message: (dir: string) => string, opts: { unprivileged?: boolean } = {}) {
    const dir = workspace({ 'page.json': { data: [vault('kv-a', 'rg-acme-prod', false)] } });
    writeFileSync(join(dir, 'file'), 'x');
    const before = readdirSync(dir).sort();
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), ...args(dir)], opts);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`compline: ${message(dir)}\n`);
    expect(readdirSync(dir).sort()).toEqual(before);
    return dir;
  }

  it('--out naming a file, or a folder under one', () => {
    refused(
      (d) => ['--out', join(d, 'file')],
      (d) => `--out ${join(d, 'file')}: ${join(d, 'file')} is not a folder`,
    );
    refused(
      (d) => ['--out', join(d, 'file', 'reports')],
      (d) => `--out ${join(d, 'file', 'reports')}: ${join(d, 'file')} is not a folder`,
    );
  });

  it('--store naming a folder, or a file under a file', () => {
    refused(
      (d) => ['--store', join(d, 'estate')],
      (d) => `--store ${join(d, 'estate')}: ${join(d, 'estate')} is a folder`,
    );
    refused(
      (d) => ['--store', join(d, 'file', 'c.duckdb')],
      (d) => `--store ${join(d, 'file', 'c.duckdb')}: ${join(d, 'file')} is not a folder`,
    );
  });

  it('--parquet naming a file: refused before the run is published, not after', () => {
    refused(
      (d) => ['--parquet', join(d, 'file')],
      (d) => `--parquet ${join(d, 'file')}: ${join(d, 'file')} is not a folder`,
    );
  });

  it('output.dir from the config is checked too, named as the config key', () => {
    const dir = workspace({});
    writeFileSync(
      join(dir, 'compline.yaml'),
      readFileSync(join(dir, 'compline.yaml'), 'utf8').replace('dir: out', 'dir: estate/x.json'),
    );
    writeFileSync(join(dir, 'estate', 'x.json'), '{}');
    const r = compline(['run', '--config', join(dir, 'compline.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `compline: ${join(dir, 'compline.yaml')}: output.dir: ${join(dir, 'estate', 'x.json')} is not a folder\n`,
    );
    expect(existsSync(join(dir, 'store'))).toBe(false);
  });

  it.skipIf(!permissionsApply())('a folder without write permission', () => {
    const dir = workspace({});
    for (const d of [dir, join(dir, 'estate')]) chmodSync(d, 0o755);
    chmodSync(join(dir, 'compline.yaml'), 0o644);
    mkdirSync(join(dir, 'locked'), { mode: 0o555 });
    chmodSync(join(dir, 'locked'), 0o555);
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--out', join(dir, 'locked', 'out')], {
      unprivileged: true,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `compline: --out ${join(dir, 'locked', 'out')}: cannot create ${join(dir, 'locked', 'out')}: ${join(dir, 'locked')} is not writable\n`,
    );
    // The store is written in place: a store file that cannot be written is refused even in a writable folder.
    const store = join(dir, 'readonly.duckdb');
    writeFileSync(store, '');
    chmodSync(dir, 0o777);
    chmodSync(store, 0o444);
    const s = compline(['run', '--config', join(dir, 'compline.yaml'), '--store', store], { unprivileged: true });
    expect(s.code).toBe(2);
    expect(s.stderr).toBe(`compline: --store ${store}: ${store} is not writable\n`);
  });
});

describe('output writer', () => {
  it('nothing is visible until commit; abort leaves nothing; a published run is never overwritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-writer-'));
    const w = await localFolderWriter(dir, 'run-1');
    await w.write('acme', 'report.json', '{}');
    expect(existsSync(join(dir, 'run-1'))).toBe(false);
    await w.commit();
    expect(readFileSync(join(dir, 'run-1', 'acme', 'report.json'), 'utf8')).toBe('{}');
    await expect(localFolderWriter(dir, 'run-1')).rejects.toThrow(/run already published; refusing to overwrite/);
    const aborted = await localFolderWriter(dir, 'run-2');
    await aborted.write('acme', 'report.json', '{}');
    await aborted.abort();
    expect(readdirSync(dir)).toEqual(['run-1']);
    await expect(aborted.write('../evil', 'x', '')).rejects.toThrow(/refusing output path/);
  });
});

describe('waiver register per report', () => {
  it('a tenant sees its own waivers and platform-wide ones only where they waived its findings', () => {
    const dir = workspace(
      { 'page.json': { data: [vault('kv-a', 'rg-acme-prod', false), vault('kv-z', 'rg-zeta-prod', false)] } },
      `waivers:
  - { id: W-ACME, check: kv-purge-protection, resource: "*/kv-a", tenant: acme, reason: r, approver: a, ticket: T-1, expires: "2099-01-01" }
  - { id: W-GLOBAL-ZETA, check: kv-purge-protection, resource: "*/rg-zeta-prod/*", reason: r, approver: a, ticket: T-2, expires: "2099-01-01" }
  - { id: W-GLOBAL-OLD, check: kv-rbac-authorization, resource: "*/rg-zeta-prod/*", reason: r, approver: a, ticket: T-3, expires: "2020-01-01" }
`,
    );
    const r = compline(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json']);
    expect(r.code).toBe(0);
    const runId = JSON.parse(r.stdout).run_id;
    const ids = (tenant: string) => {
      const w = report(dir, runId, tenant).waivers;
      return [w.active.map((x: { id: string }) => x.id), w.expired.map((x: { waiver: { id: string } }) => x.waiver.id)];
    };
    expect(ids('acme')).toEqual([['W-ACME'], []]);
    expect(ids('zeta')).toEqual([['W-GLOBAL-ZETA'], []]);
    expect(ids('_platform')).toEqual([['W-GLOBAL-ZETA'], ['W-GLOBAL-OLD']]);
    expect(JSON.stringify(report(dir, runId, 'acme'))).not.toContain('rg-zeta-prod');
  });
});
