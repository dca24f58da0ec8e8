// Which tenant a collection file belongs to, when every resource it delivered is one tenant's: that tenant's report and
// pack name the file, and no other tenant's does. A file of mixed, unowned or no rows stays the platform's; so does
// one that was not read whole (its failure must reach every tenant it may have held rows for).
import type { CollectorEvent } from '../collectors/collector.js';

export class FileScopeOwner {
  private tenants = new Set<string | null>();

  /** `parentTenant`: the tenant a child collection's parent id names (a file of children may hold no rows at all). */
  constructor(private readonly parentTenant: (id: string) => string | null) {}

  /** Called with each event of one collector, in its order: rows come before the status of the file they came from. */
  stamp(event: CollectorEvent): CollectorEvent {
    if (event.kind === 'rows' && event.table === 'resources') {
      for (const row of event.rows) this.tenants.add(row.tenant_id);
      return event;
    }
    if (event.kind === 'coverage') {
      for (const row of event.rows) this.tenants.add(this.parentTenant(row.parent_id));
      return event;
    }
    if (event.kind !== 'status') return event;
    const seen = this.tenants;
    this.tenants = new Set();
    const { status } = event;
    if (status.tenant_id || !status.scope.startsWith('file:') || status.status !== 'ok' || seen.size !== 1) return event;
    const [only] = seen;
    return only ? { ...event, status: { ...status, tenant_id: only } } : event;
  }
}
