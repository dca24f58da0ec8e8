// One file's bytes → its instances as JSON lines for the store, or why it gives none. Runs in a reader thread
// (document-readers.ts) or in this one; what it returns holds no attribute value beyond what read-state.ts keeps.
import type { IacDocument, IacInstance } from '../../model.js';
import { jsonReason } from '../json-reason.js';
import { utf8Text } from '../utf8-text.js';
import { readTerraformDocument } from './read-state.js';

export type DocumentRead =
  | { problem: string }
  | (Pick<IacDocument, 'document' | 'serial' | 'lineage' | 'instances'> & { /** Instances tracked. */ count: number });

/** An empty state still says the tenant's environment is managed, and when it was last written: one placeholder row. */
const EMPTY_STATE: IacInstance = {
  address: '(empty state)',
  tf_type: '(none)',
  type: null,
  resource_id: null,
  tags: null,
  properties: null,
  drift_attributes: null,
};

export function readDocumentBytes(bytes: Uint8Array): DocumentRead {
  const text = utf8Text(bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // The reason names a position and the kind of fault, never the text around it: state text holds secrets.
    return { problem: jsonReason(e, text) };
  }
  let read: ReturnType<typeof readTerraformDocument>;
  try {
    read = readTerraformDocument(doc);
  } catch {
    // Whatever a malformed document makes fail, the file gives no rows and says so; the reason quotes nothing of it.
    return { problem: 'the document could not be read' };
  }
  if ('problem' in read) return read;
  const lines: string[] = new Array(read.resources.length);
  for (let i = 0; i < read.resources.length; i++) {
    const r = read.resources[i]!;
    const line: IacInstance = {
      address: r.address,
      tf_type: r.tf_type,
      type: r.type,
      resource_id: r.resource_id,
      tags: r.tags,
      properties: r.properties,
      drift_attributes: r.drift_attributes,
    };
    lines[i] = JSON.stringify(line);
  }
  if (!lines.length && read.document === 'state') lines.push(JSON.stringify(EMPTY_STATE));
  return {
    document: read.document,
    serial: read.serial,
    lineage: read.lineage,
    // Encoded here, in the reader thread, and handed over without a copy: the main thread only writes the bytes.
    instances: new TextEncoder().encode(lines.join('\n')),
    count: read.resources.length,
  };
}
