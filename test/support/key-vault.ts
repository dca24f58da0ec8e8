// Azure Key Vault's keys API as the local Azure server answers it (through its `arm` handler): get a key, sign a
// digest. The vault's RSA key lives here, as it would in the vault; RSASSA-PSS over a given digest is made with forge,
// since Node signs only messages it hashes itself.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import type { ArmCall, Reply } from './azure-server.js';

export const KEY_VERSION = '4f1c2a7d9e8b40f3a6c5d4e3f2a1b0c9';

export interface VaultKey {
  name: string;
  /** PEM private key, RSA or EC. */
  keyFile: string;
  /** Sign with this key instead (a vault that misbehaves). */
  signWith?: string;
  enabled?: boolean;
}

export interface SignCall {
  name: string;
  version: string;
  alg: string;
  digestBytes: number;
}

function jwk(key: KeyObject): Record<string, unknown> {
  const j = createPublicKey(key).export({ format: 'jwk' });
  return j.kty === 'RSA'
    ? { kty: 'RSA-HSM', n: j.n, e: j.e, key_ops: ['sign', 'verify'] }
    : { kty: 'EC-HSM', crv: j.crv, x: j.x, y: j.y, key_ops: ['sign', 'verify'] };
}

function pssSign(keyPem: string, digest: Buffer): Buffer {
  const key = forge.pki.privateKeyFromPem(createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
  const md = {
    algorithm: 'sha256',
    digestLength: 32,
    blockLength: 64,
    digest: () => forge.util.createBuffer(digest.toString('binary')),
  };
  const pss = forge.pss.create({
    md: forge.md.sha256.create(),
    mgf: forge.mgf.mgf1.create(forge.md.sha256.create()),
    saltLength: 32,
  });
  return Buffer.from(key.sign(md as unknown as forge.md.MessageDigest, pss), 'binary');
}

/** An `arm` handler serving `keys`; `base` is the server's URL (the vault URL). */
export function keyVault(base: () => string, keys: VaultKey[], signs: SignCall[]): (call: ArmCall) => Reply | undefined {
  return (call) => {
    // The SDK asks for the current version as `/keys/<name>/` (an empty version).
    const m = /^\/keys\/([^/]+)(?:\/([^/]*))?(\/sign)?$/.exec(call.path);
    if (!m) return undefined;
    const key = keys.find((k) => k.name.toLowerCase() === m[1]);
    if (!key || (m[2] && m[2] !== KEY_VERSION.toLowerCase()))
      return {
        status: 404,
        body: { error: { code: 'KeyNotFound', message: `A key with (name/id) ${m[1]} was not found in this key vault.` } },
      };
    const kid = `${base()}/keys/${key.name}/${KEY_VERSION}`;
    const pem = readFileSync(key.keyFile, 'utf8');
    if (call.method === 'GET' && !m[3])
      return {
        body: {
          key: { kid, ...jwk(createPrivateKey(pem)) },
          attributes: {
            enabled: key.enabled ?? true,
            created: 1764892800,
            updated: 1764892800,
            recoveryLevel: 'Recoverable+Purgeable',
          },
        },
      };
    if (call.method === 'POST' && m[3]) {
      const { alg, value } = JSON.parse(call.body) as { alg: string; value: string };
      const digest = Buffer.from(value, 'base64url');
      signs.push({ name: key.name, version: m[2] ?? '', alg, digestBytes: digest.length });
      if (alg !== 'PS256') return { status: 400, body: { error: { code: 'BadParameter', message: `unsupported ${alg}` } } };
      const signature = pssSign(key.signWith ? readFileSync(key.signWith, 'utf8') : pem, digest);
      return { body: { kid, value: signature.toString('base64url') } };
    }
    return undefined;
  };
}
