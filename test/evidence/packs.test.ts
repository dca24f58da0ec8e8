// Evidence packs end to end: the demo run signs them, verify proves them, any changed byte is named, replay
// re-performs every verdict, and no pack holds another tenant's resources.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDetached, signBytes } from '../../src/evidence/jws.js';
import type { Manifest } from '../../src/evidence/pack.js';
import { verifyFiles } from '../../src/evidence/verify.js';
import { unzipFiles, zipFiles } from '../../src/evidence/zip.js';
import type { TenantReport } from '../../src/reports/tenant-report.js';
import { compline } from '../support/cli.js';
import { ecCertificate } from '../support/ec-certificate.js';

const work = mkdtempSync(join(tmpdir(), 'compline-evidence-'));
const store = join(work, 'store.duckdb');
const demoCert = join(work, 'demo-signer', 'certificate.pem');
const demoKey = join(work, 'demo-signer', 'key.pem');
let runDir = '';
const packs: Record<string, string> = {};
const reports: Record<string, TenantReport> = {};

beforeAll(() => {
  const r = compline(['run', '--config', 'demo/compline.yaml', '--out', join(work, 'out'), '--store', store]);
  expect(r.code, r.stderr).toBe(0);
  const [runId] = readdirSync(join(work, 'out'));
  runDir = join(work, 'out', runId!);
  for (const tenant of readdirSync(runDir)) {
    packs[tenant] = join(runDir, tenant, `${tenant}-${runId}.zip`);
    reports[tenant] = JSON.parse(readFileSync(join(runDir, tenant, 'report.json'), 'utf8'));
  }
});

/** The pack with one file's bytes replaced (or the file removed / a file added), everything else as signed. */
async function altered(pack: string, change: (files: Map<string, Buffer>) => void): Promise<string> {
  const files = await unzipFiles(readFileSync(pack));
  change(files);
  const out = join(work, `altered-${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(
    out,
    await zipFiles(
      [...files].map(([path, data]) => ({ path, data })),
      new Date(),
    ),
  );
  return out;
}

/** The pack with one JSON file's rows changed, its manifest entry updated and re-signed with the demo signer's key. */
async function resignedWith(
  pack: string,
  path: string,
  change: (slice: { rows: Record<string, unknown>[] }) => void,
): Promise<string> {
  const key = createPrivateKey(readFileSync(demoKey));
  return altered(pack, (files) => {
    const slice = JSON.parse(files.get(path)!.toString('utf8'));
    change(slice);
    files.set(path, Buffer.from(JSON.stringify(slice)));
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
    const entry = manifest.files.find((f) => f.path === path)!;
    entry.size = files.get(path)!.length;
    entry.sha256 = createHash('sha256').update(files.get(path)!).digest('hex');
    const bytes = Buffer.from(JSON.stringify(manifest));
    files.set('manifest.json', bytes);
    // Re-signed with the signer's own key under the same header: only the content changed.
    const { protectedHeader } = parseDetached(files.get('manifest.jws')!.toString('utf8'))!;
    const signature = signBytes(Buffer.from(`${protectedHeader}.${bytes.toString('base64url')}`), 'PS256', key);
    files.set('manifest.jws', Buffer.from(`${protectedHeader}..${signature.toString('base64url')}`));
  });
}

const flipByte = (data: Buffer): Buffer => {
  const copy = Buffer.from(data);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

describe('evidence packs', () => {
  it('every tenant and the platform get a pack holding report, findings, waivers, evidence, macros, manifest and signature', async () => {
    expect(Object.keys(packs).sort()).toEqual(['_platform', 'bank_alpha', 'credit_union_beta', 'fintech_gamma']);
    const files = await unzipFiles(readFileSync(packs.bank_alpha!));
    for (const f of ['report.json', 'findings.csv', 'waivers.json', 'macros.sql', 'manifest.json', 'manifest.jws'])
      expect(files.has(f), f).toBe(true);
    expect(files.get('report.json')!.equals(readFileSync(join(runDir, 'bank_alpha', 'report.json')))).toBe(true);
    const checks = new Set(reports.bank_alpha!.findings.map((f) => f.check_id));
    // Every scope once, for the whole pack; each Resource Graph page held to the count Resource Graph gave with it.
    const { scopes } = JSON.parse(files.get('evidence/sources.json')!.toString('utf8'));
    const graph = scopes.filter((s: { scope: string }) => /^file:estate\/resource-graph-/.test(s.scope));
    expect(graph.length).toBeGreaterThan(0);
    for (const s of graph) expect(s.reconciliation, s.scope).toMatch(/^\d+ rows matched Resource Graph's totalRecords$/);
    for (const id of checks) {
      expect(files.has(`evidence/${id}.sql`), id).toBe(true);
      const evidence = JSON.parse(files.get(`evidence/${id}.json`)!.toString('utf8'));
      expect(evidence.ipe.check_id).toBe(id);
      // Each check names the file, the sources feeding it, how many scopes they had and the incomplete ones in full.
      const fed = scopes.filter((s: { source: string }) => evidence.ipe.sources.sources.includes(s.source));
      expect(evidence.ipe.sources.file).toBe('evidence/sources.json');
      expect(evidence.ipe.sources.scopes, id).toBe(fed.length);
      expect(fed.length, id).toBeGreaterThan(0);
      expect(evidence.ipe.sources.incomplete).toEqual(fed.filter((s: { status: string }) => s.status !== 'ok'));
      for (const [table, input] of Object.entries(evidence.ipe.inputs as Record<string, { file: string; rows: number }>)) {
        const slice = JSON.parse(files.get(input.file)!.toString('utf8'));
        expect(slice.table).toBe(table);
        expect(slice.rows.length).toBe(input.rows);
      }
    }
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
    expect(manifest.tenant).toBe('bank_alpha');
    expect(manifest.signer.demo).toBe(true);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([...files.keys()].filter((p) => !p.startsWith('manifest.')).sort());
    const csv = files.get('findings.csv')!.toString('utf8').split('\r\n');
    expect(csv[0]).toBe('check_id,title,resource_id,plan_address,status,severity,reason,waiver_id,requirements');
    expect(csv.filter((l) => l).length).toBe(reports.bank_alpha!.findings.length + 1);
  });

  it('verify: genuine with the demo CA, with its public key, with a JWKS; intact-but-untrusted (exit 5) with nothing', () => {
    const pack = packs.credit_union_beta!;
    const none = compline(['verify', pack]);
    expect(none.code).toBe(5);
    expect(none.stdout).toMatch(/INTACT, SIGNER NOT TRUSTED: .*tenant credit_union_beta.*no --cert, --key or --jwks/);
    const byCert = compline(['verify', pack, '--cert', demoCert]);
    expect(byCert.stdout).toMatch(/^GENUINE: .*tenant credit_union_beta, run \S+; signed \S+ by CN=Compline DEMO signer/);
    expect(byCert.code).toBe(0);
    const pub = join(work, 'demo-public.pem');
    writeFileSync(pub, createPublicKey(createPrivateKey(readFileSync(demoKey))).export({ type: 'spki', format: 'pem' }));
    expect(compline(['verify', pack, '--key', pub]).code).toBe(0);
    const jwks = join(work, 'demo.jwks');
    writeFileSync(jwks, JSON.stringify({ keys: [createPublicKey(readFileSync(pub)).export({ format: 'jwk' })] }));
    expect(compline(['verify', pack, '--jwks', jwks]).code).toBe(0);
  });

  it('verify: a CA that did not issue the signer, or another key, is not trust', () => {
    const { cert: otherCa, publicKey: otherKey } = ecCertificate(work, 'other-ca', '/CN=Other CA');
    const r = compline(['verify', packs.bank_alpha!, '--cert', otherCa]);
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('does not chain to a certificate given with --cert');
    const k = compline(['verify', packs.bank_alpha!, '--key', otherKey]);
    expect(k.code).toBe(1);
    expect(k.stdout).toMatch(/^NOT GENUINE: manifest\.jws: signed by key \S+, not by the key in /);
  });

  it('verify: one flipped byte in any file of a pack fails and names that file', async () => {
    const pack = packs.credit_union_beta!;
    const names = [...(await unzipFiles(readFileSync(pack))).keys()];
    expect(names.length).toBeGreaterThan(10);
    // In process for each file (the CLI's own function), through the CLI for one.
    const roots = [new X509Certificate(readFileSync(demoCert))];
    const files = await unzipFiles(readFileSync(pack));
    for (const name of names) {
      const bad = new Map(files).set(name, flipByte(files.get(name)!));
      const v = verifyFiles(bad, { kind: 'ca', roots, label: demoCert });
      expect(v.genuine, name).toBe(false);
      expect(v.failure?.file, name).toContain(name);
    }
    expect(verifyFiles(files, { kind: 'ca', roots, label: demoCert }).genuine).toBe(true);
    const bad = await altered(pack, (files) =>
      files.set('evidence/kv-purge-protection.json', flipByte(files.get('evidence/kv-purge-protection.json')!)),
    );
    const r = compline(['verify', bad, '--cert', demoCert]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^NOT GENUINE: evidence\/kv-purge-protection\.json: content differs from the signed manifest \(SHA-256\)/,
    );
  }, 60_000);

  it('verify: a removed file, an added file and a file that is not a zip are named', async () => {
    const pack = packs.bank_alpha!;
    const removed = await altered(pack, (files) => files.delete('findings.csv'));
    expect(compline(['verify', removed]).stdout).toMatch(/^NOT GENUINE: findings\.csv: listed in the manifest but missing/);
    const added = await altered(pack, (files) => files.set('evidence/extra.json', Buffer.from('{}')));
    expect(compline(['verify', added]).stdout).toMatch(/^NOT GENUINE: evidence\/extra\.json: not listed in the signed manifest/);
    const notZip = join(work, 'not-a-pack.zip');
    writeFileSync(notZip, 'hello');
    const r = compline(['verify', notZip]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NOT GENUINE: \(pack\): not a zip file/);
  });

  it('verify: report.json with its signature; a changed report is named', () => {
    const report = join(runDir, 'fintech_gamma', 'report.json');
    expect(compline(['verify', report, '--cert', demoCert]).code).toBe(0);
    const copy = join(work, 'report.json');
    writeFileSync(copy, flipByte(readFileSync(report)));
    writeFileSync(`${copy}.jws`, readFileSync(`${report}.jws`));
    const r = compline(['verify', copy, '--cert', demoCert]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NOT GENUINE: report\.json: content differs from what was signed/);
  });

  it('verify: usage mistakes are one line and exit 2', () => {
    for (const [args, message] of [
      [['verify', join(work, 'nope.zip')], /^compline: verify \S+nope\.zip: no such file\n$/],
      [['verify', work], /is a folder, expected a file\n$/],
      [['verify', packs.bank_alpha!, '--cert', join(work, 'nope.pem')], /--cert \S+: no such file\n$/],
      [['verify', packs.bank_alpha!, '--cert', demoCert, '--key', demoCert], /--cert and --key: give one trust anchor\n$/],
      [['verify', packs.bank_alpha!, '--key', join(runDir, 'bank_alpha', 'report.json')], /--key \S+: not a PEM public key\n$/],
      [['verify', packs.bank_alpha!, '--jwks', demoCert], /--jwks \S+: not a JSON Web Key Set/],
    ] as const) {
      const r = compline([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('replay re-performs every check of every pack with identical verdicts', () => {
    for (const [tenant, pack] of Object.entries(packs)) {
      const r = compline(['replay', pack]);
      expect(r.stdout, tenant).toMatch(
        /checks re-performed from the pack: every verdict identical\ncost totals re-computed from the pack's allocation rows: USD [\d.]+ identical\n$/,
      );
      expect(r.code, tenant).toBe(0);
    }
    const one = compline(['replay', packs.bank_alpha!, 'kv-purge-protection']);
    expect(one.stdout).toMatch(/^kv-purge-protection: \d+ verdicts identical\n1 checks re-performed/);
    const typo = compline(['replay', packs.bank_alpha!, 'kv-purge-protektion']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean kv-purge-protection?');
  });

  it('replay computes: rows changed and re-signed with the same key give different verdicts, and say which', async () => {
    const pack = packs.bank_alpha!;
    const resigned = await resignedWith(pack, 'evidence/tables/resources.json', (slice) => {
      for (const row of slice.rows)
        if (row.type === 'microsoft.keyvault/vaults') (row.properties as Record<string, unknown>).enablePurgeProtection = true;
    });
    expect(compline(['verify', resigned, '--cert', demoCert]).code).toBe(0);
    const r = compline(['replay', resigned, 'kv-purge-protection']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/kv-purge-protection: \d+ of \d+ verdicts differ\n {2}\S+: reported fail, replayed pass/);
  });

  it('FinOps evidence: the tenant’s own allocation and recommendation rows, the totals query, and IPE that shows them whole', async () => {
    const files = await unzipFiles(readFileSync(packs.credit_union_beta!));
    const finops = reports.credit_union_beta!.finops!;
    const ipe = JSON.parse(files.get('evidence/finops/ipe.json')!.toString('utf8')).ipe;
    const allocations = JSON.parse(files.get('evidence/finops/allocations.json')!.toString('utf8'));
    const recommendations = JSON.parse(files.get('evidence/finops/recommendations.json')!.toString('utf8'));
    expect(files.get('evidence/finops/totals.sql')!.toString('utf8')).toContain('from allocations group by currency');
    expect(ipe.inputs).toEqual({
      allocations: { file: 'evidence/finops/allocations.json', rows: allocations.rows.length },
      recommendations: { file: 'evidence/finops/recommendations.json', rows: recommendations.rows.length },
    });
    const sum = allocations.rows.reduce((s: number, r: { amount: number }) => s + r.amount, 0);
    expect(Math.round(sum * 100) / 100).toBe(finops.totals[0]!.total);
    expect(ipe.totals).toEqual([
      { currency: 'USD', reported: finops.totals[0]!.total, recomputed: finops.totals[0]!.total, equal: true },
    ]);
    expect(ipe.allocation_check).toMatch(/to the cent for every day and currency .* this share covers 30 day\(s\)$/);
    // The demo's export run manifest is the source total the cost rows were held to.
    const cost = ipe.sources.filter((s: { source: string }) => s.source === 'cost');
    expect(cost).toEqual([
      {
        source: 'cost',
        scope: 'file:estate/costs/focus-1.2-2026-11.csv.gz',
        status: 'ok',
        error: null,
        rows: 3510,
        reconciliation: '3510 rows = dataRowCount in estate/costs/manifest.json',
      },
    ]);
    // Another tenant's cost never: only this tenant's namespaces and no other tenant's name.
    const text = ['allocations', 'recommendations', 'ipe']
      .map((f) => files.get(`evidence/finops/${f}.json`)!.toString('utf8'))
      .join();
    for (const other of ['bank_alpha', 'bank-alpha', 'fintech_gamma', 'fintech-gamma']) expect(text).not.toContain(other);
    const namespaces = new Set(allocations.rows.map((r: { namespace: string | null }) => r.namespace).filter(Boolean));
    expect([...namespaces].sort()).toEqual(['gc-credit-union-beta-dev', 'gc-credit-union-beta-prod', 'kube-system']);
  });

  it('replay re-computes the cost totals from the pack; a changed allocation row, even re-signed, is named', async () => {
    const r = compline(['replay', packs.credit_union_beta!]);
    expect(r.code).toBe(0);
    const total = reports.credit_union_beta!.finops!.totals[0]!.total;
    expect(r.stdout).toContain(`cost totals re-computed from the pack's allocation rows: USD ${total} identical`);
    const resigned = await resignedWith(packs.credit_union_beta!, 'evidence/finops/allocations.json', (slice) => {
      slice.rows[0]!.amount = Number(slice.rows[0]!.amount) + 10;
    });
    expect(compline(['verify', resigned, '--cert', demoCert]).code).toBe(0);
    const changed = compline(['replay', resigned]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`USD reported ${total}, replayed ${Math.round((total + 10) * 100) / 100}`);
  });

  it('replay refuses a pack that is not intact', async () => {
    const bad = await altered(packs.bank_alpha!, (files) => files.set('findings.csv', Buffer.from('x')));
    const r = compline(['replay', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NOT REPLAYED: findings\.csv: content differs/);
  });

  it('no pack file of one tenant names another tenant’s resources', async () => {
    const owned = (tenant: string) =>
      new Set(
        reports[tenant]!.findings.map((f) => f.resource_id.toLowerCase()).filter(
          (id) => id.startsWith('/subscriptions/') && id.includes('/providers/'),
        ),
      );
    const tenants = ['bank_alpha', 'credit_union_beta', 'fintech_gamma'];
    for (const tenant of tenants) {
      const files = await unzipFiles(readFileSync(packs[tenant]!));
      const text = [...files.values()].map((b) => b.toString('utf8').toLowerCase()).join('\n');
      for (const other of tenants.filter((t) => t !== tenant)) {
        for (const id of owned(other)) expect(text.includes(id), `${tenant} pack names ${id} of ${other}`).toBe(false);
      }
    }
  });
});
