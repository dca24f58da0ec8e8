// What an auditor trusts, and whether a detached JWS was made by it. Trust comes only from what they supply.
import { type KeyObject, X509Certificate } from 'node:crypto';
import { type parseDetached, thumbprint, verifyDetached } from './jws.js';

export type Trust =
  | { kind: 'key'; key: KeyObject; label: string }
  | { kind: 'jwks'; keys: KeyObject[]; label: string }
  | { kind: 'ca'; roots: X509Certificate[]; label: string }
  | { kind: 'none' };

export interface SignatureCheck {
  /** The signature matches the signed bytes under the key it names. */
  valid: boolean;
  /** The key is one the auditor trusts (directly, through a JWKS, or through a certificate chain to their CA). */
  trusted: boolean;
  /** Who signed: the leaf certificate's subject, or the key id. */
  signer: string;
  problem: string | null;
}

type Parsed = NonNullable<ReturnType<typeof parseDetached>>;

function chainOf(parsed: Parsed): X509Certificate[] | string {
  try {
    return (parsed.header.x5c ?? []).map((der) => new X509Certificate(Buffer.from(der, 'base64')));
  } catch {
    return 'the certificate chain in the signature header cannot be parsed';
  }
}

/** Leaf to a root the auditor gave: each certificate issued and signed by the next, valid when the pack was signed. */
function chainProblem(chain: X509Certificate[], roots: X509Certificate[], at: Date): string | null {
  for (const cert of chain) {
    if (new Date(cert.validFrom) > at || new Date(cert.validTo) < at)
      return `certificate ${cert.subject.replaceAll('\n', ', ')} was not valid at signing time`;
  }
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (roots.some((r) => r.raw.equals(cert.raw))) return null;
    const root = roots.find((r) => cert.checkIssued(r) && cert.verify(r.publicKey));
    if (root) return null;
    const next = chain[i + 1];
    if (!next || !cert.checkIssued(next) || !cert.verify(next.publicKey)) break;
  }
  return 'the signing certificate does not chain to a certificate given with --cert';
}

/** Whether what the auditor gave trusts a certificate chain (leaf first) that signed at `at`. */
export function chainTrust(chain: X509Certificate[], trust: Trust, at: Date): { trusted: boolean; problem: string | null } {
  const leaf = chain[0];
  if (trust.kind === 'none') return { trusted: false, problem: null };
  if (!leaf) return { trusted: false, problem: 'the signature carries no certificate' };
  if (trust.kind === 'key')
    return leaf.publicKey.equals(trust.key)
      ? { trusted: true, problem: null }
      : { trusted: false, problem: `signed by key ${thumbprint(leaf.publicKey)}, not by the key in ${trust.label}` };
  if (trust.kind === 'jwks') {
    const kid = thumbprint(leaf.publicKey);
    return trust.keys.some((k) => thumbprint(k) === kid)
      ? { trusted: true, problem: null }
      : { trusted: false, problem: `no key in ${trust.label} has id ${kid}` };
  }
  const problem = chainProblem(chain, trust.roots, at);
  return { trusted: problem === null, problem };
}

export function checkSignature(parsed: Parsed, payload: Buffer, trust: Trust, signedAt: Date): SignatureCheck {
  const chain = chainOf(parsed);
  if (typeof chain === 'string') return { valid: false, trusted: false, signer: parsed.header.kid, problem: chain };
  const leaf = chain[0];
  const signer = leaf ? leaf.subject.replaceAll('\n', ', ') : `key ${parsed.header.kid}`;
  let key: KeyObject | undefined;
  if (trust.kind === 'key') key = trust.key;
  else if (trust.kind === 'jwks') key = trust.keys.find((k) => thumbprint(k) === parsed.header.kid);
  else key = leaf?.publicKey;
  if (!key) {
    const why =
      trust.kind === 'jwks'
        ? `no key in ${trust.label} has id ${parsed.header.kid}`
        : 'the signature carries no certificate to check it with';
    return { valid: false, trusted: false, signer, problem: why };
  }
  if (thumbprint(key) !== parsed.header.kid)
    return {
      valid: false,
      trusted: false,
      signer,
      problem: `signed by key ${parsed.header.kid}, not by the key in ${trust.kind === 'key' ? trust.label : 'its certificate'}`,
    };
  if (leaf && !leaf.publicKey.equals(key))
    return { valid: false, trusted: false, signer, problem: 'the certificate does not belong to the signing key' };
  if (!verifyDetached(parsed, payload, key)) return { valid: false, trusted: false, signer, problem: 'signature does not match' };
  if (trust.kind === 'none') return { valid: true, trusted: false, signer, problem: null };
  if (trust.kind === 'ca') {
    if (!leaf) return { valid: true, trusted: false, signer, problem: 'the signature carries no certificate to chain to --cert' };
    const problem = chainProblem(chain, trust.roots, signedAt);
    return { valid: true, trusted: problem === null, signer, problem };
  }
  return { valid: true, trusted: true, signer, problem: null };
}
