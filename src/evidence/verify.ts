// Is a pack (or a report with its signature) what Compline signed? Hashes first, then the signature, then trust.
import { createHash } from 'node:crypto';
import { parseDetached } from './jws.js';
import { MANIFEST, type Manifest, SIGNATURE } from './pack.js';
import { checkPdfSignature, INFO_RUN, INFO_TENANT } from './pdf-signature.js';
import { DEMO_SUBJECT } from './signer.js';
import { chainTrust, checkSignature, type Trust } from './trust.js';
import { unzipFiles, ZipError } from './zip.js';

export interface Verdict {
  /** Every file intact and the signature valid. */
  intact: boolean;
  /** Intact and signed by a key the auditor trusts. */
  genuine: boolean;
  /** The first file that fails, and why; null when none does. */
  failure: { file: string; why: string } | null;
  /** Signed, but nothing the auditor gave trusts the signer: said plainly, never taken for genuine. */
  untrusted: string | null;
  tenant: string | null;
  runId: string | null;
  signedAt: string | null;
  signer: string | null;
  demo: boolean;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const broken = (file: string, why: string, partial: Partial<Verdict> = {}): Verdict => ({
  intact: false,
  genuine: false,
  failure: { file, why },
  untrusted: null,
  tenant: null,
  runId: null,
  signedAt: null,
  signer: null,
  demo: false,
  ...partial,
});

function parseManifest(data: Buffer): Manifest | null {
  try {
    const m = JSON.parse(data.toString('utf8')) as Manifest;
    const ok =
      m?.kind === 'compline-evidence-pack' &&
      Array.isArray(m.files) &&
      m.files.every((f) => typeof f?.path === 'string' && typeof f.sha256 === 'string' && typeof f.size === 'number') &&
      typeof m.signed_at === 'string';
    return ok ? m : null;
  } catch {
    return null;
  }
}

/** The signature over `payload` (the manifest, or a report) and what it proves. */
function signatureVerdict(
  jwsText: Buffer,
  payload: Buffer,
  trust: Trust,
  signedAt: string,
  jwsFile: string,
  base: Partial<Verdict>,
): Verdict {
  const parsed = parseDetached(jwsText.toString('utf8'));
  if (!parsed) return broken(jwsFile, 'not a detached JWS with ES256, PS256 or EdDSA', base);
  const at = new Date(signedAt);
  const sig = checkSignature(parsed, payload, trust, Number.isNaN(at.getTime()) ? new Date() : at);
  if (!sig.valid) return broken(jwsFile, sig.problem ?? 'signature does not match', { ...base, signer: sig.signer });
  const untrusted = sig.trusted
    ? null
    : trust.kind === 'none'
      ? 'signer not trusted: no --cert, --key or --jwks was given, so only integrity was checked'
      : `signer not trusted: ${sig.problem}`;
  return {
    intact: true,
    genuine: sig.trusted,
    failure: null,
    untrusted,
    tenant: null,
    runId: null,
    signedAt,
    signer: sig.signer,
    demo: false,
    ...base,
  };
}

export async function verifyPack(zip: Buffer, trust: Trust): Promise<Verdict> {
  try {
    return verifyFiles(await unzipFiles(zip), trust);
  } catch (e) {
    if (e instanceof ZipError) return broken('(pack)', e.message);
    throw e;
  }
}

/** A pack's files, read out of its zip. */
export function verifyFiles(files: ReadonlyMap<string, Buffer>, trust: Trust): Verdict {
  const manifestBytes = files.get(MANIFEST);
  if (!manifestBytes) return broken(MANIFEST, 'missing');
  const manifest = parseManifest(manifestBytes);
  if (!manifest) return broken(MANIFEST, 'not a Compline evidence manifest');
  const base: Partial<Verdict> = {
    tenant: manifest.tenant,
    runId: manifest.run?.run_id ?? null,
    signedAt: manifest.signed_at,
    demo: manifest.signer?.demo === true,
  };
  const jws = files.get(SIGNATURE);
  if (!jws) return broken(SIGNATURE, 'missing', base);
  // The signature first: a manifest nobody signed says nothing about the files it lists.
  const verdict = signatureVerdict(jws, manifestBytes, trust, manifest.signed_at, SIGNATURE, base);
  // Either file may be the one changed: a signature that does not match names both.
  if (verdict.failure?.why === 'signature does not match')
    return broken(`${MANIFEST} or ${SIGNATURE}`, 'the manifest does not match its signature', {
      ...base,
      signer: verdict.signer,
    });
  if (!verdict.intact) return verdict;
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    const data = files.get(f.path);
    if (!data) return broken(f.path, 'listed in the manifest but missing', base);
    if (data.length !== f.size || sha256(data) !== f.sha256)
      return broken(f.path, 'content differs from the signed manifest (SHA-256)', base);
  }
  for (const path of [...files.keys()].sort()) {
    if (path !== MANIFEST && path !== SIGNATURE && !listed.has(path))
      return broken(path, 'not listed in the signed manifest', base);
  }
  return verdict;
}

/** A report.json beside its detached signature (report.json.jws, written by the run). */
export function verifyReport(report: Buffer, jws: Buffer, jwsFile: string, trust: Trust): Verdict {
  let meta: { run?: { run_id?: string; finished_at?: string }; tenant?: { id?: string } | null } = {};
  try {
    meta = JSON.parse(report.toString('utf8')) as typeof meta;
  } catch {
    // the signature check below names the file; a report that is not JSON cannot match what was signed
  }
  const base: Partial<Verdict> = { tenant: meta.tenant?.id ?? '_platform', runId: meta.run?.run_id ?? null };
  const parsed = parseDetached(jws.toString('utf8'));
  const signedAt = meta.run?.finished_at ?? new Date().toISOString();
  const verdict = signatureVerdict(jws, report, trust, signedAt, jwsFile, base);
  if (!verdict.intact && parsed && verdict.failure?.why === 'signature does not match')
    return broken('report.json', 'content differs from what was signed', { ...base, signer: verdict.signer });
  return verdict;
}

/**
 * A report.pdf's embedded signature: it must cover the whole file and match it. Trust as for packs; a key or JWKS
 * that is not the signer's makes the PDF not genuine, a CA that does not cover it leaves it untrusted.
 */
export function verifyPdf(pdf: Buffer, trust: Trust): Verdict {
  const check = checkPdfSignature(pdf);
  const leaf = check.chain[0];
  const base: Partial<Verdict> = {
    tenant: check.info[INFO_TENANT] ?? null,
    runId: check.info[INFO_RUN] ?? null,
    signedAt: check.signedAt,
    signer: leaf ? leaf.subject.replaceAll('\n', ', ') : null,
    // The demo certificate says so in its subject; the cover says it too.
    demo: leaf?.subject.includes(DEMO_SUBJECT) ?? false,
  };
  if (check.problem) return broken('report.pdf', check.problem, base);
  const at = check.signedAt ? new Date(check.signedAt) : new Date();
  const { trusted, problem } = chainTrust(check.chain, trust, at);
  if (!trusted && (trust.kind === 'key' || trust.kind === 'jwks')) return broken('report.pdf', problem ?? 'not trusted', base);
  return {
    tenant: null,
    runId: null,
    signedAt: null,
    signer: null,
    demo: false,
    ...base,
    intact: true,
    genuine: trusted,
    failure: null,
    untrusted: trusted
      ? null
      : trust.kind === 'none'
        ? 'signer not trusted: no --cert, --key or --jwks was given, so only integrity was checked'
        : `signer not trusted: ${problem}`,
  };
}
