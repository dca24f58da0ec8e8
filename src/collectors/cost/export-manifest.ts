// The manifest.json Cost Management writes beside each export run: every part file (blob) it wrote with its data row
// count. It is the source's own total, so the rows a part delivered are held to it, and a part the manifest lists but
// the folder or container lacks is a missing piece of the bill, not a smaller one.
import { basename } from 'node:path';
import type { SourceStatus } from '../../store.js';
import type { CostExport, ExportOutcome } from './load-export.js';

export const MANIFEST_NAME = 'manifest.json';

export interface ExportManifest {
  /** Where the manifest is, as reports name it. */
  label: string;
  /** Part file name (the blob name's last segment) → its data row count. */
  parts: Map<string, number>;
}

/** A manifest's parts, or why it cannot be used (then the folder's exports cannot be shown complete). */
export function parseManifest(text: string, label: string): ExportManifest | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { problem: `${label}: not JSON` };
  }
  const blobs = (doc as { blobs?: unknown })?.blobs;
  if (!Array.isArray(blobs) || !blobs.length) return { problem: `${label}: no blobs listed` };
  const parts = new Map<string, number>();
  for (const [i, b] of blobs.entries()) {
    const { blobName, dataRowCount } = (b ?? {}) as { blobName?: unknown; dataRowCount?: unknown };
    if (typeof blobName !== 'string' || !blobName || !Number.isInteger(dataRowCount) || (dataRowCount as number) < 0)
      return { problem: `${label}: blobs[${i}] lacks blobName or a whole dataRowCount` };
    parts.set(basename(blobName), dataRowCount as number);
  }
  return { label, parts };
}

/** The manifest's row count for an export file, when a manifest lists it. */
export function expectedRows(manifest: ExportManifest | undefined, file: string): CostExport['manifest'] {
  const rows = manifest?.parts.get(basename(file));
  return manifest && rows !== undefined ? { label: manifest.label, rows } : undefined;
}

/** Part files a manifest lists that were not found: each one a failed scope, so the cost source is not whole. */
export function missingParts(manifest: ExportManifest, found: readonly string[], scopeOf: (part: string) => string) {
  const have = new Set(found.map((f) => basename(f)));
  return [...manifest.parts.keys()]
    .filter((part) => !have.has(part))
    .map(
      (part): Omit<SourceStatus, 'tenant_id'> => ({
        source: 'cost',
        scope: scopeOf(part),
        status: 'failed',
        error: `${part}: listed in ${manifest.label} but not found`,
        rows: 0,
        reconciliation: `expected ${manifest.parts.get(part)} rows by ${manifest.label}; the part is missing`,
      }),
    );
}

/** Holds a loaded export to its manifest's row count: a whole file that delivered fewer or more rows is partial. */
export function reconcileExport(outcome: ExportOutcome, file: CostExport): ExportOutcome & Pick<SourceStatus, 'reconciliation'> {
  const m = file.manifest;
  if (!m) return { ...outcome, reconciliation: 'no export manifest lists this file: rows counted as read, not reconciled' };
  if (outcome.status !== 'ok')
    return { ...outcome, reconciliation: `not reconciled (file not read whole); ${m.label} lists ${m.rows} rows` };
  if (outcome.rows === m.rows) return { ...outcome, reconciliation: `${outcome.rows} rows = dataRowCount in ${m.label}` };
  return {
    status: 'partial',
    error: `${file.label}: ${outcome.rows} rows read, ${m.label} lists ${m.rows}`,
    rows: outcome.rows,
    reconciliation: `${outcome.rows} rows read <> dataRowCount ${m.rows} in ${m.label}`,
  };
}
