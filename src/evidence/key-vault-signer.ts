// A signer whose private key stays in Azure Key Vault: each signature is one `sign` call with a SHA-256 digest.
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { resolve } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { CryptographyClient, type JsonWebKey, KeyClient } from '@azure/keyvault-keys';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { type JwsAlgorithm, keyFits } from './jws.js';
import { pemCertificates, readOrRefuse, type Signer, withSignature } from './signer.js';

type KeyVaultConfig = Extract<NonNullable<Config['signer']>, { key_vault: unknown }>;

const b64url = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('base64url') : undefined);

/** The vault's JSON Web Key as a Node public key; Key Vault's RSA-HSM and EC-HSM kinds are plain RSA and EC here. */
function publicKeyOf(jwk: JsonWebKey): KeyObject {
  const kty = String(jwk.kty ?? '').replace(/-HSM$/, '');
  const key =
    kty === 'RSA'
      ? { kty, n: b64url(jwk.n), e: b64url(jwk.e) }
      : { kty, crv: String(jwk.crv), x: b64url(jwk.x), y: b64url(jwk.y) };
  return createPublicKey({ key, format: 'jwk' });
}

/** One line from a Key Vault error: its code and first line, no request ids, no secret the credential's error echoed. */
function vaultFailure(e: unknown, redact: (text: string) => string): string {
  const err = e as { statusCode?: number; code?: string; message?: string };
  const first = redact((err.message ?? String(e)).split('\n')[0]!.trim());
  return [err.statusCode ? `HTTP ${err.statusCode}` : null, err.code, first].filter(Boolean).join(': ');
}

const verifyOptions = (alg: JwsAlgorithm, key: KeyObject) =>
  alg === 'ES256'
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -2 /* RSA_PSS_SALTLEN_AUTO */ };

/**
 * Reads the key (its current version unless one is pinned), checks it fits the algorithm and the certificate, and
 * signs a probe that is verified here: a key that cannot sign, or signs with another key, stops the run before
 * collection (exit 2).
 */
export async function keyVaultSigner(
  config: KeyVaultConfig,
  baseDir: string,
  credential: TokenCredential,
  redact: (text: string) => string = (text) => text,
): Promise<Signer> {
  const { vault_url, key: name, version } = config.key_vault;
  const label = `signer.key_vault ${vault_url} key ${name}`;
  const options = {
    userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
    retryOptions: { maxRetries: 3 },
    disableChallengeResourceVerification: !config.key_vault.verify_challenge_resource,
  };
  let keyId: string;
  let publicKey: KeyObject;
  try {
    const found = await new KeyClient(vault_url, credential, options).getKey(name, {
      ...(version ? { version } : {}),
      abortSignal: AbortSignal.timeout(60_000),
    });
    if (!found.key || !found.id) throw new Error('the vault returned no key material');
    if (found.properties.enabled === false) throw new UsageError(`${label}: the key is disabled`);
    keyId = found.id;
    publicKey = publicKeyOf(found.key);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${label}: cannot read the key (${vaultFailure(e, redact)})`);
  }
  if (!keyFits(config.algorithm, publicKey)) throw new UsageError(`${label}: the key does not fit ${config.algorithm}`);
  const certPath = resolve(baseDir, config.certificate_file);
  const certs = pemCertificates((await readOrRefuse(certPath, 'signer.certificate_file')).toString('utf8'));
  if (!certs.length) throw new UsageError(`signer.certificate_file ${certPath}: no PEM certificate in it`);

  // The versioned id: every signature of the run comes from the key version the manifest names.
  const crypto = new CryptographyClient(keyId, credential, options);
  const sign = async (data: Buffer): Promise<Buffer> => {
    const digest = createHash('sha256').update(data).digest();
    try {
      const result = await crypto.sign(config.algorithm, digest, { abortSignal: AbortSignal.timeout(60_000) });
      return Buffer.from(result.result);
    } catch (e) {
      throw new Error(`${label}: signing failed (${vaultFailure(e, redact)})`);
    }
  };
  const probe = Buffer.from(`compline signer probe ${Date.now()}`);
  let signature: Buffer;
  try {
    signature = await sign(probe);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!verify('sha256', probe, verifyOptions(config.algorithm, publicKey), signature))
    throw new UsageError(`${label}: the vault's signature does not verify with the key it published`);
  return withSignature(config.algorithm, publicKey, certs, { demo: false, keyId, label }, sign);
}
