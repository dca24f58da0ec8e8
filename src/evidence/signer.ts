// Who signs a run's evidence: a key and certificate from files (PEM or PKCS#12), or the demo's throwaway one.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import forge from 'node-forge';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { pdfSignerProblem } from './cms.js';
import { type JwsAlgorithm, keyFits, signBytes, signDetached, thumbprint } from './jws.js';
import { keyVaultSigner } from './key-vault-signer.js';

export interface Signer {
  algorithm: JwsAlgorithm;
  kid: string;
  /** Certificate chain, leaf first, base64 DER; empty for a bare key. */
  chain: string[];
  /** The leaf certificate's subject, one line; null for a bare key. */
  subject: string | null;
  /** Signed with the throwaway demo key: reports say so on their cover. */
  demo: boolean;
  /** Where the key lives when not in this process: the Key Vault key's versioned id. */
  keyId: string | null;
  /** What a signature of this signer verifies under (`compline merge` checks the shards' with it). */
  publicKey: KeyObject;
  signDetached(payload: Buffer): Promise<string>;
  /** The bare signature over `data` in its JWS form (ECDSA as r||s), for the PDF's CMS signature. */
  sign(data: Buffer): Promise<Buffer>;
}

type SignerConfig = NonNullable<Config['signer']>;

export const DEMO_SUBJECT = 'Compline DEMO signer (not for audit use)';

function fromKey(algorithm: JwsAlgorithm, key: KeyObject, certs: X509Certificate[], demo: boolean, label: string): Signer {
  if (!keyFits(algorithm, key)) throw new UsageError(`${label}: the key does not fit ${algorithm}`);
  return withSignature(algorithm, createPublicKey(key), certs, { demo, keyId: null, label }, async (data) =>
    signBytes(data, algorithm, key),
  );
}

/** A signer around any way of signing bytes: the certificate must be the key's, the JWS names both. */
export function withSignature(
  algorithm: JwsAlgorithm,
  publicKey: KeyObject,
  certs: X509Certificate[],
  meta: { demo: boolean; keyId: string | null; label: string },
  sign: (data: Buffer) => Promise<Buffer>,
): Signer {
  const leaf = certs[0];
  if (leaf && !leaf.publicKey.equals(publicKey))
    throw new UsageError(`${meta.label}: the certificate does not belong to the key`);
  const kid = thumbprint(publicKey);
  const chain = certs.map((c) => c.raw.toString('base64'));
  return {
    algorithm,
    kid,
    chain,
    subject: leaf ? leaf.subject.replaceAll('\n', ', ') : null,
    demo: meta.demo,
    keyId: meta.keyId,
    publicKey,
    signDetached: (payload) => signDetached(payload, algorithm, { kid, ...(chain.length ? { x5c: chain } : {}) }, sign),
    sign,
  };
}

/** Every certificate in a PEM bundle, in file order. */
export function pemCertificates(text: string): X509Certificate[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
}

export async function readOrRefuse(path: string, label: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${label} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read'}`,
    );
  }
}

/** Key and chain out of a PKCS#12 bundle; the password comes from the environment, never the config. */
function fromPkcs12(data: Buffer, password: string, label: string): { key: KeyObject; certs: X509Certificate[] } {
  try {
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(data.toString('binary')), password);
    const { pkcs8ShroudedKeyBag, keyBag, certBag } = forge.pki.oids as Record<string, string>;
    const bags = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
    const key = [...bags(pkcs8ShroudedKeyBag!), ...bags(keyBag!)][0]?.key;
    if (!key) throw new Error('no private key');
    const privateKey = createPrivateKey(forge.pki.privateKeyToPem(key));
    const certs = bags(certBag!).flatMap((b) => (b.cert ? [new X509Certificate(forge.pki.certificateToPem(b.cert))] : []));
    // Leaf first: the certificate whose key is ours.
    const publicKey = createPublicKey(privateKey);
    certs.sort((a, b) => Number(b.publicKey.equals(publicKey)) - Number(a.publicKey.equals(publicKey)));
    return { key: privateKey, certs };
  } catch {
    // forge's messages can repeat what it was given; one fixed line instead.
    throw new UsageError(`${label}: not a PKCS#12 bundle this password opens (RSA keys only)`);
  }
}

/**
 * The configured signer; paths resolve against the config's folder, demo material lives beside the store. It signs
 * report.pdf too, so it needs a certificate and an algorithm PDF readers accept.
 */
export async function loadSigner(
  config: SignerConfig,
  baseDir: string,
  storePath: string,
  env = process.env,
  credential: () => TokenCredential = () => new DefaultAzureCredential(),
  /** Takes out of an error what the credential's secrets would reveal (the `azure` connection's redact). */
  redact?: (text: string) => string,
): Promise<Signer> {
  const signer =
    'key_vault' in config
      ? await keyVaultSigner(config, baseDir, credential(), redact)
      : await fromConfig(config, baseDir, storePath, env);
  const problem = pdfSignerProblem(signer);
  if (problem) throw new UsageError(`signer: ${problem}`);
  return signer;
}

async function fromConfig(
  config: Exclude<SignerConfig, { key_vault: unknown }>,
  baseDir: string,
  storePath: string,
  env: NodeJS.ProcessEnv,
): Promise<Signer> {
  if ('demo' in config) return demoSigner(join(dirname(resolve(storePath)), 'demo-signer'));
  const keyPath = resolve(baseDir, config.key_file);
  const data = await readOrRefuse(keyPath, 'signer.key_file');
  const password = config.password_env ? env[config.password_env] : undefined;
  if (config.password_env && password === undefined)
    throw new UsageError(`signer.password_env: environment variable ${config.password_env} is not set`);
  if (/\.(p12|pfx)$/i.test(keyPath)) {
    const { key, certs } = fromPkcs12(data, password ?? '', `signer.key_file ${keyPath}`);
    return fromKey(config.algorithm, key, certs, false, `signer.key_file ${keyPath}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: data, ...(password !== undefined ? { passphrase: password } : {}) });
  } catch {
    throw new UsageError(
      `signer.key_file ${keyPath}: not a PEM private key${password === undefined ? ' (encrypted? set signer.password_env)' : ' this password opens'}`,
    );
  }
  const certs = config.certificate_file
    ? pemCertificates((await readOrRefuse(resolve(baseDir, config.certificate_file), 'signer.certificate_file')).toString('utf8'))
    : pemCertificates(data.toString('utf8'));
  if (config.certificate_file && !certs.length)
    throw new UsageError(`signer.certificate_file ${resolve(baseDir, config.certificate_file)}: no PEM certificate in it`);
  return fromKey(config.algorithm, key, certs, false, `signer.key_file ${keyPath}`);
}

/**
 * The demo's throwaway signer: an RSA key and a self-signed certificate made on first use and kept beside the
 * store, so every demo run signs with the same one. PS256, because PDF signatures (CMS) need RSA.
 */
export async function demoSigner(dir: string): Promise<Signer> {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'certificate.pem');
  let keyPem: string;
  let certPem: string;
  try {
    [keyPem, certPem] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
  } catch {
    ({ keyPem, certPem } = makeDemoCertificate());
    await mkdir(dir, { recursive: true });
    // Written under temporary names first: a half-written key never looks like a usable one.
    await writeFile(`${keyFile}.tmp`, keyPem, { mode: 0o600 });
    await writeFile(`${certFile}.tmp`, certPem);
    await rename(`${keyFile}.tmp`, keyFile);
    await rename(`${certFile}.tmp`, certFile);
  }
  return fromKey('PS256', createPrivateKey(keyPem), pemCertificates(certPem), true, `demo signer ${dir}`);
}

function makeDemoCertificate(): { keyPem: string; certPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const name = [
    { name: 'commonName', value: DEMO_SUBJECT },
    { name: 'organizationName', value: 'Compline demo' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyCertSign: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}
