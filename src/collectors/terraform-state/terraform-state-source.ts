// The `terraform` source: every state and saved plan whose key the layout maps to a tenant and environment, as
// iac_resources rows. Each file is one source scope of its tenant: one that cannot be read, is not JSON, is cut
// short or of an unknown format gives no rows and says so, and its tenant's verdicts over states are withheld.
// Files are parsed by reader threads while the next are fetched; events keep the listing's order, and documents
// go to the store in batches (one statement loads many states).
import { availableParallelism } from 'node:os';
import type { Tenant } from '../../config.js';
import type { IacDocument } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { DocumentReaders } from './document-readers.js';
import { keyLayout } from './key-layout.js';
import type { StateFile, StateStore } from './state-files.js';

export const TERRAFORM_SOURCE = 'terraform-state';

/** Instances per store batch: large enough that a statement's cost is spread, small enough to stay in memory. */
const BATCH_INSTANCES = 100_000;
/**
 * Bytes of files being read at once. While the run stores a batch this generator waits, so what is already in flight
 * is what keeps the reader threads busy meanwhile: a batch's worth (~40 states of 5,000 resources), bounded in memory.
 */
const IN_FLIGHT_BYTES = 128 * 1024 ** 2;
/** Files being read at once, whatever their size: each holds a request or an open file. */
const IN_FLIGHT_FILES = 64;

export class TerraformStateSource implements Collector {
  readonly source = TERRAFORM_SOURCE;
  private readonly match: ReturnType<typeof keyLayout>;

  constructor(
    private readonly store: StateStore,
    keys: readonly string[],
    tenants: readonly Pick<Tenant, 'id' | 'environments'>[],
    private readonly maxBytes = 256 * 1024 ** 2,
    /** Reader threads; 0 reads in this thread. */
    private readonly threads = Math.min(4, availableParallelism()),
  ) {
    this.match = keyLayout(keys, tenants);
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return this.store.prepare(signal);
  }

  async *collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const readers = new DocumentReaders(this.threads);
    // Files being read, in listing order: at least two per thread, more while their bytes stay within the bound.
    const inFlight: { bytes: number; events: Promise<CollectorEvent[]> }[] = [];
    let inFlightBytes = 0;
    const minimum = Math.max(1, 2 * readers.threads);
    const settle = async (): Promise<CollectorEvent[]> => {
      const next = inFlight.shift()!;
      inFlightBytes -= next.bytes;
      return next.events;
    };
    let batch: IacDocument[] = [];
    let batched = 0;
    let held: CollectorEvent[] = [];
    // Statuses wait with their batch, so a file is never reported ok before its rows are handed over.
    function* take(events: CollectorEvent[], flush: boolean): Iterable<CollectorEvent> {
      for (const e of events) {
        if (e.kind === 'iac-documents') {
          batch.push(...e.documents);
          for (const d of e.documents) batched += d.count;
        } else held.push(e);
      }
      if (flush || batched >= BATCH_INSTANCES) {
        if (batch.length) yield { kind: 'iac-documents', documents: batch };
        yield* held;
        batch = [];
        batched = 0;
        held = [];
      }
    }
    let matched = 0;
    try {
      for await (const file of this.store.list(signal)) {
        const m = this.match(file.key);
        if (m === null) continue;
        matched++;
        inFlight.push({
          bytes: file.size,
          events:
            'stray' in m
              ? Promise.resolve([status(file, 'partial', m.stray, 0)])
              : this.readOne(file, m.tenant, m.environment, readers, signal),
        });
        inFlightBytes += file.size;
        while (inFlight.length >= minimum && (inFlightBytes >= IN_FLIGHT_BYTES || inFlight.length >= IN_FLIGHT_FILES))
          yield* take(await settle(), false);
      }
      while (inFlight.length) yield* take(await settle(), false);
      yield* take([], true);
    } finally {
      await Promise.allSettled(inFlight.map((f) => f.events));
      await readers.close();
    }
    // No file at all is a misconfigured layout or an empty container, not an estate with no Terraform.
    if (matched === 0)
      yield {
        kind: 'status',
        status: { source: this.source, scope: 'state:all', status: 'failed', error: 'no file matches the key layout', rows: 0 },
      };
  }

  private async readOne(
    file: StateFile,
    tenant: string,
    environment: string,
    readers: DocumentReaders,
    signal?: AbortSignal,
  ): Promise<CollectorEvent[]> {
    if (file.size > this.maxBytes)
      return [status(file, 'failed', `larger than ${Math.round(this.maxBytes / 1024 ** 2)} MB`, 0, tenant)];
    let bytes: Buffer;
    try {
      bytes = await file.read(signal);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return [status(file, 'failed', `cannot read (${code ?? 'error'})`, 0, tenant)];
    }
    const read = await readers.read(bytes);
    if ('problem' in read) return [status(file, 'failed', read.problem, 0, tenant)];
    const document: IacDocument = {
      tenant_id: tenant,
      environment,
      workspace_key: file.key,
      document: read.document,
      backend_account: this.store.account,
      serial: read.serial,
      lineage: read.lineage,
      last_modified: file.lastModified,
      instances: read.instances,
      count: read.count,
    };
    return [{ kind: 'iac-documents', documents: [document] }, status(file, 'ok', null, read.count, tenant)];
  }
}

function status(
  file: StateFile,
  s: 'ok' | 'partial' | 'failed',
  error: string | null,
  rows: number,
  tenant?: string,
): CollectorEvent {
  return {
    kind: 'status',
    status: {
      source: TERRAFORM_SOURCE,
      scope: `state:${file.label}`,
      status: s,
      error,
      rows,
      ...(tenant ? { tenant_id: tenant } : {}),
    },
  };
}
