// One tenant's evidence pack: reports (JSON and signed PDF), findings, waivers, the rows and SQL behind every finding, a manifest of
// hashes and a detached signature over it. Everything an auditor needs to verify and re-perform, nothing more.
import { createHash } from 'node:crypto';
import { boundSql } from '../engine.js';
import type { CheckMeta } from '../model.js';
import type { TenantReport } from '../reports/tenant-report.js';
import type { Store } from '../store.js';
import { TOOL_VERSION } from '../version.js';
import {
  evidenceFor,
  type PlatformRows,
  packSources,
  SOURCES_FILE,
  type TableSlice,
  tableFile,
  tableSlice,
  tablesRead,
} from './evidence-rows.js';
import { finopsEvidence } from './finops-evidence.js';
import type { Signer } from './signer.js';
import { zipFiles } from './zip.js';

/** 2: every scope once in evidence/sources.json; each evidence file names its sources and the incomplete scopes. */
export const PACK_SCHEMA_VERSION = 2;
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.jws';

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  schema_version: typeof PACK_SCHEMA_VERSION;
  kind: 'compline-evidence-pack';
  tool_version: string;
  tenant: string;
  run: TenantReport['run'];
  signed_at: string;
  signer: {
    algorithm: string;
    /** RFC 7638 thumbprint of the public key. */
    kid: string;
    /** Where the key lives when not in a file: the Key Vault key's versioned id. */
    key_id: string | null;
    subject: string | null;
    /** The certificate chain, leaf first, base64 DER (as in the signature's x5c). */
    chain: string[];
    demo: boolean;
  };
  files: ManifestFile[];
}

/** Excel and its kin run a cell that starts with = + - @ as a formula: such cells are quoted with a leading '. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function findingsCsv(findings: TenantReport['findings']): string {
  const header = [
    'check_id',
    'title',
    'resource_id',
    'plan_address',
    'status',
    'severity',
    'reason',
    'waiver_id',
    'requirements',
  ];
  const lines = findings.map((f) =>
    [
      f.check_id,
      f.title,
      f.resource_id,
      f.plan_address,
      f.status,
      f.severity,
      f.reason,
      f.waiver_id,
      Object.entries(f.requirements)
        .map(([fw, ids]) => `${fw}: ${ids.join(' ')}`)
        .join('; '),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface PackInput {
  store: Store;
  report: TenantReport;
  /** The signed report.pdf. */
  pdf: Buffer;
  /** report.json as published beside the pack (the same bytes go in). */
  reportJson: Buffer;
  /** The tenant id, or `_platform`. */
  tenant: string;
  checks: ReadonlyMap<string, CheckMeta>;
  params: Record<string, Record<string, number | string | boolean>>;
  macros: string;
  signer: Signer;
  /** The run's platform rows, shared by every pack of the run. */
  platformRows: PlatformRows;
  now: Date;
}

/** The pack as bytes: files in a fixed order, the manifest and its signature last. */
export async function buildPack(input: PackInput): Promise<Buffer> {
  const { report, signer } = input;
  const extractedAt = input.now.toISOString();
  const files: { path: string; data: Buffer }[] = [];
  const add = (path: string, data: string) => files.push({ path, data: Buffer.from(data, 'utf8') });
  files.push({ path: 'report.json', data: input.reportJson });
  files.push({ path: 'report.pdf', data: input.pdf });
  add('findings.csv', findingsCsv(report.findings));
  add('waivers.json', `${JSON.stringify(report.waivers, null, 2)}\n`);
  add('macros.sql', input.macros);
  const tenantId = report.tenant?.id ?? null;
  const checks = [...new Set(report.findings.map((f) => f.check_id))]
    .sort()
    .flatMap((id) => (input.checks.has(id) ? [input.checks.get(id)!] : []));
  // Every table slice once: the checks reading a table read the same rows, and sixty copies would not scale.
  const slices = new Map<string, TableSlice>();
  for (const table of [...new Set(checks.flatMap((c) => tablesRead(c, input.macros)))].sort()) {
    const slice = await tableSlice(input.store, table, tenantId, input.platformRows);
    slices.set(table, slice);
    add(tableFile(table), `${JSON.stringify(slice, null, 2)}\n`);
  }
  const sources = await packSources(input.store, tenantId);
  add(
    SOURCES_FILE,
    `${JSON.stringify({ selection: `every collection scope of the run that is ${input.tenant === '_platform' ? "the platform's" : `the platform's or ${input.tenant}'s`}`, scopes: sources }, null, 2)}\n`,
  );
  for (const check of checks) {
    const params = { ...check.params, ...input.params[check.id] };
    add(`evidence/${check.id}.sql`, `${boundSql(check, input.params[check.id])}\n`);
    const evidence = evidenceFor(sources, check, tenantId, slices, params, input.macros, extractedAt);
    add(`evidence/${check.id}.json`, `${JSON.stringify(evidence, null, 2)}\n`);
  }
  if (report.finops && report.finops.status !== 'not_collected')
    for (const f of await finopsEvidence(input.store, tenantId, report.finops, sources, extractedAt)) add(f.path, f.data);
  const manifest: Manifest = {
    schema_version: PACK_SCHEMA_VERSION,
    kind: 'compline-evidence-pack',
    tool_version: TOOL_VERSION,
    tenant: input.tenant,
    run: report.run,
    signed_at: extractedAt,
    signer: {
      algorithm: signer.algorithm,
      kid: signer.kid,
      key_id: signer.keyId,
      subject: signer.subject,
      chain: signer.chain,
      demo: signer.demo,
    },
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.data), size: f.data.length })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const jws = await signer.signDetached(manifestBytes);
  return zipFiles(
    [...files, { path: MANIFEST, data: manifestBytes }, { path: SIGNATURE, data: Buffer.from(`${jws}\n`, 'utf8') }],
    new Date(report.run.finished_at),
  );
}
