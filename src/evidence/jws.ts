// Detached JWS (RFC 7515, appendix F) over a pack's manifest: header..signature, the payload travels beside it.
import { constants, createHash, type KeyObject, sign, verify } from 'node:crypto';

export const JWS_ALGORITHMS = ['ES256', 'PS256', 'EdDSA'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export interface JwsHeader {
  alg: JwsAlgorithm;
  /** RFC 7638 thumbprint of the signing key: what a JWKS lookup matches. */
  kid: string;
  /** Certificate chain, leaf first, base64 DER (RFC 7515 4.1.6); absent for a bare key. */
  x5c?: string[];
  typ: 'JOSE';
  cty: 'compline-manifest+json';
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Node's sign/verify options for each algorithm; ES256 signatures are the JOSE r||s form, not DER. */
function options(alg: JwsAlgorithm, key: KeyObject) {
  if (alg === 'ES256') return { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' as const } };
  if (alg === 'PS256') return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
  return { digest: null, key };
}

/** The key type and curve each algorithm needs; a mismatch is a configuration mistake, caught before signing. */
export function keyFits(alg: JwsAlgorithm, key: KeyObject): boolean {
  if (alg === 'ES256') return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (alg === 'PS256') return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
  return key.asymmetricKeyType === 'ed25519';
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key. */
export function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'RSA'
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return b64url(createHash('sha256').update(JSON.stringify(members)).digest());
}

/** A signature in the algorithm's JWS form (ECDSA as r||s). */
export function signBytes(data: Buffer, alg: JwsAlgorithm, privateKey: KeyObject): Buffer {
  const o = options(alg, privateKey);
  return sign(o.digest, data, o.key);
}

/**
 * A detached JWS (RFC 7515 appendix F) over `payload`; `sign` makes the signature over the signing input in the
 * algorithm's JWS form, with a local key or remotely (Key Vault).
 */
export async function signDetached(
  payload: Buffer,
  alg: JwsAlgorithm,
  header: Omit<JwsHeader, 'alg' | 'typ' | 'cty'>,
  sign: (input: Buffer) => Promise<Buffer>,
): Promise<string> {
  const protectedHeader = b64url(JSON.stringify({ alg, typ: 'JOSE', cty: 'compline-manifest+json', ...header }));
  // Built as bytes: the payload's base64 text is ASCII, and one long joined string costs more to encode than to make.
  const signature = await sign(
    Buffer.concat([Buffer.from(`${protectedHeader}.`, 'latin1'), Buffer.from(payload.toString('base64url'), 'latin1')]),
  );
  return `${protectedHeader}..${b64url(signature)}`;
}

/** The header of a detached JWS, or null when the text is not one. */
export function parseDetached(jws: string): { header: JwsHeader; protectedHeader: string; signature: Buffer } | null {
  const m = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/.exec(jws.trim());
  if (!m) return null;
  try {
    const header = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as JwsHeader;
    if (!JWS_ALGORITHMS.includes(header.alg)) return null;
    return { header, protectedHeader: m[1]!, signature: Buffer.from(m[2]!, 'base64url') };
  } catch {
    return null;
  }
}

export function verifyDetached(
  parsed: NonNullable<ReturnType<typeof parseDetached>>,
  payload: Buffer,
  publicKey: KeyObject,
): boolean {
  if (!keyFits(parsed.header.alg, publicKey)) return false;
  const o = options(parsed.header.alg, publicKey);
  return verify(o.digest, Buffer.from(`${parsed.protectedHeader}.${b64url(payload)}`), o.key, parsed.signature);
}
