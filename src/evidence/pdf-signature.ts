// The PDF's embedded signature (PAdES B-B): a placeholder added through @signpdf, filled with our CMS over the
// bytes the ByteRange covers; and the check of one, as a reader would do it.
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { SignPdf } from '@signpdf/signpdf';
import { Signer as SignPdfSigner, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { type CmsCheck, type CmsSigner, checkSignedData, signedData } from './cms.js';

/** Document info keys naming whose report a PDF is; signed with it, read back by verify. */
export const INFO_TENANT = 'ComplineTenant';
export const INFO_RUN = 'ComplineRun';

class CmsPdfSigner extends SignPdfSigner {
  constructor(private readonly signer: CmsSigner) {
    super();
  }
  override sign(content: Buffer): Promise<Buffer> {
    return signedData(content, this.signer);
  }
}

export interface PdfSignOptions {
  /** The signer's name as the signature dictionary shows it. */
  name: string;
  reason: string;
  signingTime: Date;
}

/** Room the CMS needs in the placeholder: the chain, the signature and its attributes, with a margin. */
export function signatureLength(signer: Pick<CmsSigner, 'chain'>): number {
  return signer.chain.reduce((n, c) => n + Buffer.from(c, 'base64').length, 0) + 4096;
}

/** Ends `doc` with an empty signature placeholder of `length` bytes: the file, ready for its signature. */
export function placeholderPdf(doc: PDFKit.PDFDocument, opts: PdfSignOptions & { length: number }): Promise<Buffer> {
  pdfkitAddPlaceholder({
    pdf: doc,
    // Declared required by its types, read only by the plain-PDF placeholder, not this one.
    pdfBuffer: Buffer.alloc(0),
    name: opts.name,
    reason: opts.reason,
    contactInfo: '',
    location: '',
    signingTime: opts.signingTime,
    signatureLength: opts.length,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Compline',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.end();
  return done;
}

/** Fills a placeholder PDF's signature with our CMS over the bytes its ByteRange covers. */
export function signPlaceholder(pdf: Buffer, signer: CmsSigner): Promise<Buffer> {
  return new SignPdf().sign(pdf, new CmsPdfSigner(signer));
}

/** Ends `doc` with a signature placeholder and returns the signed file. */
export async function signPdf(doc: PDFKit.PDFDocument, signer: CmsSigner, opts: PdfSignOptions): Promise<Buffer> {
  return signPlaceholder(await placeholderPdf(doc, { ...opts, length: signatureLength(signer) }), signer);
}

export interface PdfSignatureCheck extends CmsCheck {
  /** The signature dictionary's /M, ISO 8601; null when absent. */
  signedAt: string | null;
  /** Document info entries (strings only). */
  info: Record<string, string>;
}

const latin1 = (b: Buffer) => b.toString('latin1');

/** A PDF literal string's text: escapes undone. */
function literal(s: string): string {
  return s.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) =>
    /^[0-7]/.test(e) ? String.fromCharCode(Number.parseInt(e, 8)) : ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' }[e] ?? e),
  );
}

/** The text between `n 0 obj` and `endobj`, for the last definition of object n. */
function objectBody(text: string, n: string): string | undefined {
  return [...text.matchAll(new RegExp(`(?:^|\\s)${n} 0 obj\\s*([\\s\\S]*?)\\s*endobj`, 'g'))].pop()?.[1];
}

function pdfDate(d: string): string | null {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(d);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

/**
 * The last signature of a PDF checked against the whole file: its ByteRange must cover every byte but its own
 * Contents (nothing appended after signing), and the CMS in Contents must sign exactly those bytes.
 */
export function checkPdfSignature(pdf: Buffer): PdfSignatureCheck {
  const text = latin1(pdf);
  const none = (problem: string): PdfSignatureCheck => ({ chain: [], problem, signedAt: null, info: {} });
  if (!text.startsWith('%PDF-')) return none('not a PDF');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const last = ranges[ranges.length - 1];
  if (!last) return none('no embedded signature');
  const [a, b, c, d] = last.slice(1, 5).map(Number) as [number, number, number, number];
  if (a !== 0 || b <= 0 || c <= b || c + d !== pdf.length)
    return none('the signature does not cover the whole file (changed or appended after signing)');
  const contents = text.slice(b, c);
  if (!/^<[0-9A-Fa-f]+>$/.test(contents)) return none('the signature contents are not where its ByteRange says');
  const cms = Buffer.from(contents.slice(1, -1), 'hex');
  const check = checkSignedData(cms, [pdf.subarray(0, b), pdf.subarray(c)]);
  // The signature dictionary holds its ByteRange; /M is the time it states.
  const dictStart = text.lastIndexOf('<<', last.index);
  const m = /\/M\s*\((D:[^)]*)\)/.exec(text.slice(dictStart, c + 2000));
  const info: Record<string, string> = {};
  const infoRef = [...text.matchAll(/\/Info\s+(\d+)\s+0\s+R/g)].pop();
  const body = infoRef && objectBody(text, infoRef[1]!);
  // pdfkit writes each entry as its own object: `/Key n 0 R`, then `n 0 obj (value) endobj`.
  for (const [, key, value, ref] of body?.matchAll(/\/(\w+)\s*(?:\(((?:\\.|[^\\)])*)\)|(\d+)\s+0\s+R)/g) ?? []) {
    const v = value ?? /^\s*\(((?:\\.|[^\\)])*)\)\s*$/.exec(objectBody(text, ref!) ?? '')?.[1];
    if (v !== undefined) info[key!] = literal(v);
  }
  return { ...check, signedAt: m ? pdfDate(m[1]!) : null, info };
}
