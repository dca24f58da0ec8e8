// The `terraform` source: every state and saved plan whose key the layout maps to a tenant and environment, as
// iac_resources rows. Each file is one source scope of its tenant: one that cannot be read, is not JSON, is cut
// short or of an unknown format gives no rows and says so, and its tenant's verdicts over states are withheld.
import type { Tenant } from '../../config.js';
import type { IacResourceRow } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { jsonReason } from '../json-reason.js';
import { keyLayout } from './key-layout.js';
import { readTerraformDocument } from './read-state.js';
import type { StateFile, StateStore } from './state-files.js';

export const TERRAFORM_SOURCE = 'terraform-state';

export class TerraformStateSource implements Collector {
  readonly source = TERRAFORM_SOURCE;
  private readonly match: ReturnType<typeof keyLayout>;

  constructor(
    private readonly store: StateStore,
    keys: readonly string[],
    tenants: readonly Pick<Tenant, 'id' | 'environments'>[],
    private readonly maxBytes = 256 * 1024 ** 2,
  ) {
    this.match = keyLayout(keys, tenants);
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return this.store.prepare(signal);
  }

  async *collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    let matched = 0;
    for await (const file of this.store.list(signal)) {
      const m = this.match(file.key);
      if (m === null) continue;
      matched++;
      if ('stray' in m) {
        yield status(file, 'partial', m.stray, 0);
        continue;
      }
      yield* this.readOne(file, m.tenant, m.environment, signal);
    }
    // No file at all is a misconfigured layout or an empty container, not an estate with no Terraform.
    if (matched === 0)
      yield {
        kind: 'status',
        status: { source: this.source, scope: 'state:all', status: 'failed', error: 'no file matches the key layout', rows: 0 },
      };
  }

  private async *readOne(
    file: StateFile,
    tenant: string,
    environment: string,
    signal?: AbortSignal,
  ): AsyncIterable<CollectorEvent> {
    if (file.size > this.maxBytes) {
      yield status(file, 'failed', `larger than ${Math.round(this.maxBytes / 1024 ** 2)} MB`, 0, tenant);
      return;
    }
    let text = '';
    let doc: unknown;
    try {
      text = (await file.read(signal)).toString('utf8');
      doc = JSON.parse(text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // The reason names a position and the kind of fault, never the text around it: state text holds secrets.
      const reason = code ? `cannot read (${code})` : jsonReason(e, text);
      yield status(file, 'failed', reason, 0, tenant);
      return;
    }
    text = '';
    const read = readTerraformDocument(doc);
    if ('problem' in read) {
      yield status(file, 'failed', read.problem, 0, tenant);
      return;
    }
    const rows: IacResourceRow[] = read.resources.map((r) => ({
      tenant_id: tenant,
      environment,
      workspace_key: file.key,
      document: read.document,
      backend_account: this.store.account,
      address: r.address,
      tf_type: r.tf_type,
      type: r.type,
      resource_id: r.resource_id,
      serial: read.serial,
      lineage: read.lineage,
      last_modified: file.lastModified,
      tags: r.tags,
      properties: r.properties,
      drift_attributes: r.drift_attributes,
    }));
    if (rows.length) yield { kind: 'rows', table: 'iac_resources', rows };
    else if (read.document === 'state')
      // An empty state still says the tenant's environment is managed, and when it was last written.
      yield {
        kind: 'rows',
        table: 'iac_resources',
        rows: [
          {
            tenant_id: tenant,
            environment,
            workspace_key: file.key,
            document: 'state',
            backend_account: this.store.account,
            address: '(empty state)',
            tf_type: '(none)',
            type: null,
            resource_id: null,
            serial: read.serial,
            lineage: read.lineage,
            last_modified: file.lastModified,
            tags: null,
            properties: null,
            drift_attributes: null,
          },
        ],
      };
    yield status(file, 'ok', null, rows.length, tenant);
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
