// CMS SignedData (RFC 5652) for a PAdES signature: detached, CAdES signed attributes (content type, message digest,
// signing-certificate-v2), RSASSA-PSS or ECDSA over SHA-256. Built and checked here, because what a PDF reader
// accepts is narrow and every byte of it is evidence.
import { constants, createHash, verify as cryptoVerify, type KeyObject, X509Certificate } from 'node:crypto';
import { children, DerError, integer, type Node, oid, oidText, read, seq, setOf, TAG, tlv, unsignedInteger } from './der.js';
import type { JwsAlgorithm } from './jws.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaSha256: '1.2.840.10045.4.3.2',
} as const;

const DIGESTS: Record<string, string> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

/** What signs: the algorithm, the chain (leaf first, base64 DER) and a signature in its JWS form (ECDSA as r||s). */
export interface CmsSigner {
  algorithm: JwsAlgorithm;
  chain: readonly string[];
  sign(data: Buffer): Promise<Buffer>;
}

/** Why a signer cannot sign a PDF, or null when it can. */
export function pdfSignerProblem(signer: Pick<CmsSigner, 'algorithm' | 'chain'>): string | null {
  if (signer.algorithm === 'EdDSA')
    return 'algorithm EdDSA cannot sign report.pdf: PDF readers do not accept Ed25519 signatures; use PS256 or ES256';
  if (!signer.chain.length) return 'report.pdf needs a certificate for the key (certificate_file, or a PKCS#12 bundle)';
  return null;
}

const sha256Id = () => seq(oid(OID.sha256));

function signatureAlgorithm(alg: JwsAlgorithm): Buffer {
  if (alg === 'ES256') return seq(oid(OID.ecdsaSha256));
  // RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, 32-byte salt (what PS256 means in JOSE).
  const hash = seq(oid(OID.sha256), tlv(TAG.null));
  return seq(
    oid(OID.rsassaPss),
    seq(tlv(TAG.context(0), hash), tlv(TAG.context(1), seq(oid(OID.mgf1), hash)), tlv(TAG.context(2), integer(32))),
  );
}

/** JOSE's r||s as the DER SEQUENCE { r, s } CMS carries. */
function ecdsaDer(p1363: Buffer): Buffer {
  const half = p1363.length / 2;
  return seq(unsignedInteger(p1363.subarray(0, half)), unsignedInteger(p1363.subarray(half)));
}

/** A certificate's issuer Name and serialNumber, as encoded (for IssuerAndSerialNumber). */
function issuerAndSerial(certDer: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = children(children(read(certDer))[0]!);
  const at = tbs[0]!.tag === TAG.context(0) ? 1 : 0;
  return { serial: tbs[at]!.raw, issuer: tbs[at + 2]!.raw };
}

const attribute = (type: string, value: Buffer) => seq(oid(type), setOf(value));

/** A detached SignedData over `content` (the bytes the PDF's ByteRange covers). */
export async function signedData(content: Buffer, signer: CmsSigner): Promise<Buffer> {
  const problem = pdfSignerProblem(signer);
  if (problem) throw new Error(problem);
  const certs = signer.chain.map((c) => Buffer.from(c, 'base64'));
  const leaf = certs[0]!;
  const { issuer, serial } = issuerAndSerial(leaf);
  const attrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, tlv(TAG.octetString, createHash('sha256').update(content).digest())),
    // ESSCertIDv2 with the default hash (SHA-256): binds the signature to this certificate.
    attribute(OID.signingCertificateV2, seq(seq(seq(tlv(TAG.octetString, createHash('sha256').update(leaf).digest()))))),
  ];
  const signedAttrs = setOf(...attrs);
  const raw = await signer.sign(signedAttrs);
  const signature = signer.algorithm === 'ES256' ? ecdsaDer(raw) : raw;
  const signerInfo = seq(
    integer(1),
    seq(issuer, serial),
    sha256Id(),
    // In the SignerInfo the attributes are [0] IMPLICIT; they were signed as a SET.
    Buffer.concat([Buffer.from([TAG.context(0)]), signedAttrs.subarray(1)]),
    signatureAlgorithm(signer.algorithm),
    tlv(TAG.octetString, signature),
  );
  const sd = seq(integer(1), setOf(sha256Id()), seq(oid(OID.data)), tlv(TAG.context(0), ...certs), setOf(signerInfo));
  return seq(oid(OID.signedData), tlv(TAG.context(0), sd));
}

export interface CmsCheck {
  /** Certificates carried, the signer's first; empty when none could be read. */
  chain: X509Certificate[];
  /** Why the signature does not hold, or null. */
  problem: string | null;
}

function attributeValue(attrs: Node[], type: string): Node | undefined {
  for (const a of attrs) {
    const [t, values] = children(a);
    if (t && values && oidText(t) === type) return children(values)[0];
  }
  return undefined;
}

function verifyOptions(sigAlg: Node, key: KeyObject): { digest: string; key: Parameters<typeof cryptoVerify>[2] } | string {
  const [id] = children(sigAlg);
  const name = oidText(id!);
  if (name === OID.ecdsaSha256) return { digest: 'sha256', key: { key, dsaEncoding: 'der' } };
  if (name === OID.rsaEncryption || name === OID.sha256WithRsa)
    return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } };
  if (name === OID.rsassaPss)
    return {
      digest: 'sha256',
      key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
    };
  return `signature algorithm ${name} is not one Compline checks (RSASSA-PSS, RSA, ECDSA with SHA-256)`;
}

/** Does `cms` sign exactly `content`? Checks the message digest, the certificate binding and the signature. */
export function checkSignedData(cms: Buffer, content: readonly Buffer[]): CmsCheck {
  try {
    const [type, wrapped] = children(read(cms));
    if (!type || oidText(type) !== OID.signedData || !wrapped) return { chain: [], problem: 'not a CMS SignedData' };
    const sd = children(children(wrapped)[0]!);
    const certNode = sd.find((n) => n.tag === TAG.context(0));
    const certs = certNode ? children(certNode).map((c) => c.raw) : [];
    const infos = children(sd[sd.length - 1]!);
    if (infos.length !== 1) return { chain: [], problem: `${infos.length} signer infos, expected one` };
    const info = children(infos[0]!);
    const [, sid, digestAlg, attrsNode, sigAlg, sigValue] = info;
    if (!sid || !digestAlg || attrsNode?.tag !== TAG.context(0) || !sigAlg || !sigValue)
      return { chain: [], problem: 'the signer info has no signed attributes' };
    const [sidIssuer, sidSerial] = children(sid);
    const leafDer = certs.find((c) => {
      const { issuer, serial } = issuerAndSerial(c);
      return issuer.equals(sidIssuer!.raw) && serial.equals(sidSerial!.raw);
    });
    if (!leafDer) return { chain: [], problem: 'the signature carries no certificate of its signer' };
    const chain = [leafDer, ...certs.filter((c) => c !== leafDer)].map((c) => new X509Certificate(c));
    const digestName = DIGESTS[oidText(children(digestAlg)[0]!)];
    if (!digestName) return { chain, problem: 'digest algorithm is not SHA-2' };
    const hash = createHash(digestName);
    for (const part of content) hash.update(part);
    const attrs = children(attrsNode);
    const digest = attributeValue(attrs, OID.messageDigest);
    if (!digest?.content.equals(hash.digest())) return { chain, problem: 'the document differs from what was signed' };
    const certHash = attributeValue(attrs, OID.signingCertificateV2);
    const essHash = certHash && children(children(children(certHash)[0]!)[0]!).find((n) => n.tag === TAG.octetString);
    if (certHash && !essHash?.content.equals(createHash('sha256').update(leafDer).digest()))
      return { chain, problem: 'the signing-certificate attribute names another certificate' };
    const options = verifyOptions(sigAlg, chain[0]!.publicKey);
    if (typeof options === 'string') return { chain, problem: options };
    const signed = Buffer.concat([Buffer.from([TAG.set]), attrsNode.raw.subarray(1)]);
    if (!cryptoVerify(options.digest, signed, options.key, sigValue.content))
      return { chain, problem: 'signature does not match' };
    return { chain, problem: null };
  } catch (e) {
    if (e instanceof DerError || e instanceof TypeError || (e as { code?: string }).code?.startsWith('ERR_'))
      return { chain: [], problem: 'the signature cannot be parsed' };
    throw e;
  }
}
