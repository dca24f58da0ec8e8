// `compline verify`: is a pack, a signed report.pdf, or a report.json with its signature, what Compline signed, and by whom?
import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Trust } from '../evidence/trust.js';
import { type Verdict, verifyPack, verifyPdf, verifyReport } from '../evidence/verify.js';

export interface VerifyOptions {
  file: string;
  cert?: string;
  key?: string;
  jwks?: string;
  /** report.json's signature; default the file beside it, report.json.jws. */
  signature?: string;
}

/** A pack is at most a few hundred MB; anything far larger is not one. */
const MAX_INPUT = 4 * 1024 ** 3;

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UsageError(`${what} ${path}: is a folder, expected a file`);
    if (st.size > MAX_INPUT) throw new UsageError(`${what} ${path}: ${st.size} bytes, larger than any pack`);
    return await readFile(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read'}`,
    );
  }
}

function publicKey(text: string, what: string, path: string): KeyObject {
  try {
    return createPublicKey(text);
  } catch {
    throw new UsageError(`${what} ${path}: not a PEM public key`);
  }
}

async function trustOf(opts: VerifyOptions): Promise<Trust> {
  const given = [opts.cert && '--cert', opts.key && '--key', opts.jwks && '--jwks'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')}: give one trust anchor`);
  if (opts.key)
    return {
      kind: 'key',
      key: publicKey((await readInput(opts.key, '--key')).toString('utf8'), '--key', opts.key),
      label: opts.key,
    };
  if (opts.cert) {
    const text = (await readInput(opts.cert, '--cert')).toString('utf8');
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (!pems.length) throw new UsageError(`--cert ${opts.cert}: no PEM certificate in it`);
    try {
      return { kind: 'ca', roots: pems.map((p) => new X509Certificate(p)), label: opts.cert };
    } catch {
      throw new UsageError(`--cert ${opts.cert}: a certificate in it cannot be parsed`);
    }
  }
  if (opts.jwks) {
    let keys: KeyObject[];
    try {
      const doc = JSON.parse((await readInput(opts.jwks, '--jwks')).toString('utf8')) as { keys?: unknown[] };
      if (!Array.isArray(doc.keys)) throw new Error('no keys');
      keys = doc.keys.map((k) => createPublicKey({ key: k as import('node:crypto').JsonWebKey, format: 'jwk' }));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--jwks ${opts.jwks}: not a JSON Web Key Set ({ "keys": [...] })`);
    }
    return { kind: 'jwks', keys, label: opts.jwks };
  }
  return { kind: 'none' };
}

export async function verifyCommand(opts: VerifyOptions): Promise<{ verdict: Verdict; text: string; exitCode: 0 | 1 | 5 }> {
  const trust = await trustOf(opts);
  const data = await readInput(opts.file, 'verify');
  let verdict: Verdict;
  if (/\.json$/i.test(opts.file)) {
    const sigPath = opts.signature ?? `${opts.file}.jws`;
    verdict = verifyReport(data, await readInput(sigPath, '--signature'), sigPath, trust);
  } else if (/\.pdf$/i.test(opts.file)) {
    verdict = verifyPdf(data, trust);
  } else {
    verdict = await verifyPack(data, trust);
  }
  const who = `tenant ${verdict.tenant ?? '?'}, run ${verdict.runId ?? '?'}`;
  if (verdict.failure) {
    return { verdict, text: `NOT GENUINE: ${verdict.failure.file}: ${verdict.failure.why} (${opts.file}; ${who})`, exitCode: 1 };
  }
  const signed = `signed ${verdict.signedAt ?? '?'} by ${verdict.signer ?? '?'}${verdict.demo ? ' (DEMO signer)' : ''}`;
  if (!verdict.genuine)
    return { verdict, text: `INTACT, SIGNER NOT TRUSTED: ${opts.file}: ${who}; ${signed}; ${verdict.untrusted}`, exitCode: 5 };
  return { verdict, text: `GENUINE: ${opts.file}: ${who}; ${signed}`, exitCode: 0 };
}
