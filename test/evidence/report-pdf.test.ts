// report.pdf end to end: the demo run signs one per tenant, poppler's pdfsig accepts the signature (and trusts it
// once the CA is in an NSS database), verify proves it, a flipped byte breaks it, and each PDF reads as a report
// of its own tenant only.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/evidence/pack.js';
import { signPdf } from '../../src/evidence/pdf-signature.js';
import { loadSigner } from '../../src/evidence/signer.js';
import { unzipFiles } from '../../src/evidence/zip.js';
import { reportDocument } from '../../src/reports/pdf/report-pdf.js';
import type { TenantReport } from '../../src/reports/tenant-report.js';
import { loadCatalogue } from '../../src/rules.js';
import { compline, ROOT } from '../support/cli.js';
import { ecCertificate } from '../support/ec-certificate.js';

const work = mkdtempSync(join(tmpdir(), 'compline-pdf-'));
const store = join(work, 'store.duckdb');
const demoCert = join(work, 'demo-signer', 'certificate.pem');
const TENANTS = ['bank_alpha', 'credit_union_beta', 'fintech_gamma'];
let runId = '';
let runDir = '';
const reports: Record<string, TenantReport> = {};

const pdfOf = (tenant: string) => join(runDir, tenant, 'report.pdf');
const tool = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
/** pdftotext's text of every page, in order. */
const pages = (pdf: string) => tool('pdftotext', ['-layout', pdf, '-']).out.split('\f').slice(0, -1);

beforeAll(() => {
  // Two runs on one store: the second report's trend has two points.
  for (const out of ['out-1', 'out-2']) {
    const r = compline(['run', '--config', 'demo/compline.yaml', '--out', join(work, out), '--store', store]);
    expect(r.code, r.stderr).toBe(0);
  }
  [runId] = readdirSync(join(work, 'out-2')) as [string];
  runDir = join(work, 'out-2', runId);
  for (const tenant of readdirSync(runDir))
    reports[tenant] = JSON.parse(readFileSync(join(runDir, tenant, 'report.json'), 'utf8'));
}, 120_000);

const flipAt = (data: Buffer, at: number): Buffer => {
  const copy = Buffer.from(data);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

/** Offsets of the signature's Contents: [start, end) of `<hex>`. */
function contentsRange(pdf: Buffer): [number, number] {
  const m = [...pdf.toString('latin1').matchAll(/\/ByteRange \[(\d+) (\d+) (\d+) (\d+)/g)].pop()!;
  return [Number(m[2]), Number(m[3])];
}

describe('report.pdf', () => {
  it('every tenant and the platform get a signed report.pdf, also in the pack and its manifest', async () => {
    expect(Object.keys(reports).sort()).toEqual(['_platform', ...TENANTS]);
    for (const tenant of Object.keys(reports)) {
      const pdf = readFileSync(pdfOf(tenant));
      const files = await unzipFiles(readFileSync(join(runDir, tenant, `${tenant}-${runId}.zip`)));
      expect(files.get('report.pdf')!.equals(pdf), tenant).toBe(true);
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
      expect(manifest.files.find((f) => f.path === 'report.pdf')?.size, tenant).toBe(pdf.length);
    }
  });

  it('pdfsig: "Signature is Valid." for each; "Certificate is Trusted." once the demo CA is in an NSS database', () => {
    for (const tenant of Object.keys(reports)) {
      const r = tool('pdfsig', [pdfOf(tenant)]);
      expect(r.out, tenant).toContain('Signature Validation: Signature is Valid.');
      expect(r.out, tenant).toContain('Signature Type: ETSI.CAdES.detached');
      expect(r.out, tenant).toContain('Total document signed');
      expect(r.out, tenant).not.toContain('Certificate is Trusted.');
    }
    const nss = join(work, 'nss');
    mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'compline-demo', '-t', 'CT,C,C', '-i', demoCert]);
    const trusted = tool('pdfsig', ['-nssdir', `sql:${nss}`, pdfOf('bank_alpha')]);
    expect(trusted.out).toContain('Signature Validation: Signature is Valid.');
    expect(trusted.out).toContain('Certificate Validation: Certificate is Trusted.');
  });

  it('verify: genuine with the demo CA (tenant, run, signer named); intact but untrusted (exit 5) without it', () => {
    const ok = compline(['verify', pdfOf('credit_union_beta'), '--cert', demoCert]);
    expect(ok.stdout).toMatch(
      new RegExp(
        `^GENUINE: \\S+report\\.pdf: tenant credit_union_beta, run ${runId}; signed \\S+Z by CN=Compline DEMO signer .*\\(DEMO signer\\)\\n$`,
      ),
    );
    expect(ok.code).toBe(0);
    const none = compline(['verify', pdfOf('credit_union_beta')]);
    expect(none.code).toBe(5);
    expect(none.stdout).toMatch(/^INTACT, SIGNER NOT TRUSTED: .*no --cert, --key or --jwks/);
  });

  it('a flipped byte in the signed range: verify exit 1 naming report.pdf, pdfsig "Digest Mismatch."', () => {
    const pdf = readFileSync(pdfOf('bank_alpha'));
    const [start, end] = contentsRange(pdf);
    // One in the binary comment of the header (before the signature dictionary), one in the pages' content.
    expect(start).toBeGreaterThan(12);
    for (const at of [10, end + Math.floor((pdf.length - end) / 2)]) {
      const bad = join(work, `flipped-${at}.pdf`);
      writeFileSync(bad, flipAt(pdf, at));
      const r = compline(['verify', bad, '--cert', demoCert]);
      expect(r.code, String(at)).toBe(1);
      expect(r.stdout, String(at)).toMatch(/^NOT GENUINE: report\.pdf: the document differs from what was signed/);
      expect(tool('pdfsig', [bad]).out, String(at)).toContain('Digest Mismatch.');
    }
  });

  it('bytes appended after signing, or a damaged signature, are not genuine', () => {
    const pdf = readFileSync(pdfOf('bank_alpha'));
    const appended = join(work, 'appended.pdf');
    writeFileSync(appended, Buffer.concat([pdf, Buffer.from('\n% appended\n')]));
    const a = compline(['verify', appended, '--cert', demoCert]);
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/^NOT GENUINE: report\.pdf: the signature does not cover the whole file/);
    const [start] = contentsRange(pdf);
    const damaged = join(work, 'damaged-signature.pdf');
    // A hex digit of the CMS itself, past its header: the signature value or a certificate changes.
    writeFileSync(
      damaged,
      Buffer.concat([
        pdf.subarray(0, start + 2001),
        Buffer.from(pdf[start + 2001] === 0x30 ? '1' : '0'),
        pdf.subarray(start + 2002),
      ]),
    );
    const d = compline(['verify', damaged, '--cert', demoCert]);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/^NOT GENUINE: report\.pdf: /);
    const notPdf = join(work, 'not.pdf');
    writeFileSync(notPdf, 'hello');
    expect(compline(['verify', notPdf]).stdout).toMatch(/^NOT GENUINE: report\.pdf: not a PDF/);
  });

  it('reads as a report: cover with DEMO mark, contents, summary with a two-run trend, "Page x of y" on every page', () => {
    const text = pages(pdfOf('bank_alpha'));
    expect(text.length).toBeGreaterThan(10);
    const cover = text[0]!;
    for (const s of [
      'Compliance evidence report',
      'Bank Alpha',
      'bank_alpha',
      runId,
      'DEMO',
      'Signed with a throwaway demo certificate',
    ])
      expect(cover, s).toContain(s);
    expect(text[1]).toMatch(/Contents/);
    for (const s of [
      'Executive summary',
      'PCI DSS v4.0.1 requirements',
      'Findings by severity',
      'Waiver register',
      'Manual evidence required',
    ])
      expect(text[1], s).toMatch(new RegExp(`${s}[ .]+\\d+`));
    expect(text[2]).toContain('Executive summary');
    expect(text[2]).toContain('last 2 runs of this tenant');
    for (const [i, page] of text.entries()) expect(page, `page ${i + 1}`).toContain(`Page ${i + 1} of ${text.length}`);
    const all = text.join('\n');
    expect(all).toContain('WVR-2026-014');
    expect(all).toContain('nsg-no-internet-ssh-rdp');
  });

  it('FinOps: the summary names the cost and top savings; a Cost and savings section shows what report.json says', () => {
    const report = reports.bank_alpha!;
    const finops = report.finops!;
    expect(finops.status).toBe('complete');
    const text = pages(pdfOf('bank_alpha'));
    expect(text[1]).toMatch(/Cost and savings[ .]+\d+/);
    const amount = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const [totals] = finops.totals;
    const summary = text.slice(2, 5).join('\n');
    expect(summary).toContain('Top savings');
    expect(summary).toContain(`${totals!.currency} ${amount(totals!.total)}`);
    const at = text.findIndex((p) => /^\s*Cost and savings\s*$/m.test(p));
    expect(at).toBeGreaterThan(2);
    const section = text.slice(at, at + 3).join('\n');
    expect(section).toContain(`${finops.period!.from} to ${finops.period!.to}`);
    expect(totals!.by_day).toHaveLength(30);
    for (const s of totals!.by_service.slice(0, 8)) expect(section).toContain(`${s.service}`);
    for (const s of totals!.by_source) expect(section.replace(/\s+/g, ' ')).toContain(amount(s.amount));
    const priced = finops.recommendations.filter((r) => r.monthly_savings);
    expect(priced.length).toBeGreaterThan(0);
    for (const r of priced) expect(section).toContain(`${r.currency} ${amount(r.monthly_savings!)}`);
    expect(section).toContain(`price sheet of ${priced[0]!.price_sheet_date}`);
    expect(section).toContain('not estimated');
    for (const s of finops.signals) expect(section).toContain(s.kind);
  });

  it('FinOps: a report without cost data has no cost section; an incomplete one says its figures are a lower bound', async () => {
    const { byId } = await loadCatalogue();
    const render = async (report: TenantReport) => {
      const doc = reportDocument({ report, checks: byId, trend: [], signer: { subject: null, demo: false } });
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      const done = new Promise((r) => doc.on('end', r));
      doc.end();
      await done;
      const file = join(work, `finops-${Math.random().toString(36).slice(2)}.pdf`);
      writeFileSync(file, Buffer.concat(chunks));
      return pages(file).join('\n');
    };
    const { finops, ...without } = reports.credit_union_beta!;
    const none = await render(without as TenantReport);
    expect(none).not.toContain('Cost and savings');
    expect(none).not.toContain('Top savings');
    const notCollected = await render({
      ...without,
      finops: { ...finops!, status: 'not_collected', totals: [] },
    } as TenantReport);
    expect(notCollected).not.toContain('Cost and savings');
    const incomplete = await render({
      ...without,
      finops: { ...finops!, status: 'incomplete', reasons: ['cost scope sub-x was partial'] },
    } as TenantReport);
    expect(incomplete).toContain('Incomplete cost data: the amounts are a lower bound');
    expect(incomplete).toContain('cost scope sub-x was partial');
    expect(incomplete).toContain('(incomplete cost data: a lower bound)');
  });

  it('no tenant’s PDF names another tenant or its resources', async () => {
    // Names the catalogue itself uses (cluster-admin, a role every cluster has) are nobody's.
    const catalogue = JSON.stringify((await loadCatalogue()).checks);
    const word = (n: string) => new RegExp(`(?<![a-z0-9-])${n}(?![a-z0-9-])`);
    const names = (tenant: string) =>
      new Set(
        reports[tenant]!.findings.map((f) => f.resource_id.split('/').pop()!).filter(
          (n) => /^[a-z0-9]+-[a-z0-9-]+$/.test(n) && !word(n).test(catalogue),
        ),
      );
    for (const tenant of TENANTS) {
      const text = pages(pdfOf(tenant)).join('\n');
      const own = names(tenant);
      for (const other of TENANTS.filter((t) => t !== tenant)) {
        expect(text, `${tenant} names ${other}`).not.toContain(other);
        expect(text).not.toContain(reports[other]!.tenant!.name);
        // Whole names only: a setting named to-law is not named by the remediation text "audit-to-law".
        for (const n of names(other))
          if (!own.has(n)) expect(word(n).test(text), `${tenant} PDF names ${n} of ${other}`).toBe(false);
      }
    }
  });

  it('a signer that cannot sign a PDF is a config error before any work: EdDSA, or a key without a certificate', () => {
    const demo = readFileSync(join(ROOT, 'demo', 'compline.yaml'), 'utf8').replaceAll(
      'estate/',
      `${join(ROOT, 'demo', 'estate')}/`,
    );
    const cases = [
      ['ed25519', 'EdDSA', /^compline: signer: algorithm EdDSA cannot sign report\.pdf: PDF readers do not accept Ed25519/],
      ['rsa', 'PS256', /^compline: signer: report\.pdf needs a certificate for the key/],
    ] as const;
    for (const [type, alg, message] of cases) {
      const key = join(work, `${type}.pem`);
      const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      writeFileSync(key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const config = join(work, `${type}.yaml`);
      writeFileSync(config, demo.replace('signer:\n  demo: true', `signer:\n  algorithm: ${alg}\n  key_file: ${key}`));
      const out = join(work, `out-${type}`);
      const r = compline(['run', '--config', config, '--out', out, '--store', join(work, `${type}.duckdb`)]);
      expect(r.stderr, type).toMatch(message);
      expect(r.code, type).toBe(2);
      expect(tool('ls', [out]).code, type).not.toBe(0);
    }
  });
});

describe('report.pdf with an ES256 signer and its certificate', () => {
  it('pdfsig accepts the ECDSA signature; verify trusts it through --key and refuses another key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-pdf-ec-'));
    const { key, cert, publicKey } = ecCertificate(dir, 'signer', '/CN=Compline test ES256 signer');
    const signer = await loadSigner({ algorithm: 'ES256', key_file: key, certificate_file: cert }, dir, join(dir, 's.duckdb'));
    const { byId } = await loadCatalogue();
    const report = reports.credit_union_beta!;
    const doc = reportDocument({ report, checks: byId, trend: [], signer: { subject: signer.subject, demo: false } });
    const pdf = join(dir, 'report.pdf');
    writeFileSync(pdf, await signPdf(doc, signer, { name: 'test', reason: 'test', signingTime: new Date() }));
    const sig = tool('pdfsig', [pdf]).out;
    expect(sig).toContain('Signature Validation: Signature is Valid.');
    expect(sig).toContain('Signer Certificate Common Name: Compline test ES256 signer');
    expect(pages(pdf)[0]).not.toContain('DEMO');
    const ok = compline(['verify', pdf, '--key', publicKey]);
    expect(ok.stdout).toMatch(/^GENUINE: \S+: tenant credit_union_beta, run \S+; signed \S+ by CN=Compline test ES256 signer\n$/);
    expect(ok.code).toBe(0);
    const other = compline(['verify', pdf, '--key', ecCertificate(dir, 'other', '/CN=Other').publicKey]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^NOT GENUINE: report\.pdf: signed by key \S+, not by the key in /);
  });
});
