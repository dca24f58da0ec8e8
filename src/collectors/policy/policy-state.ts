// One Policy Insights query-results record → a policy_states row; the same mapping for files and live answers.
import type { PolicyStateRow } from '../../model.js';

/** The built-in "PCI DSS v4.0.1" initiative, whose groups the PCI catalogue names (`azure_policy_group`). */
export const PCI_DSS_INITIATIVE = '/providers/microsoft.authorization/policysetdefinitions/a06d5deb-24aa-4991-9d58-fa7563154e31';

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const lowerId = (v: unknown): string | null => text(v)?.toLowerCase() ?? null;

/** ISO 8601 when the value is a readable timestamp, else null. */
function timestamp(v: unknown): string | null {
  const t = text(v);
  if (!t) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The row for one record, or null when it names no resource. Older answers carry only `isCompliant`: it stands for
 * the state then; a record with neither says nothing about compliance (null, counted as not evaluated).
 */
export function policyStateRow(record: Record<string, unknown>): PolicyStateRow | null {
  const resourceId = lowerId(record.resourceId);
  if (!resourceId) return null;
  const groups = record.policyDefinitionGroupNames;
  const legacy = typeof record.isCompliant === 'boolean' ? (record.isCompliant ? 'Compliant' : 'NonCompliant') : null;
  return {
    resource_id: resourceId,
    policy_assignment_id: lowerId(record.policyAssignmentId),
    policy_definition_id: lowerId(record.policyDefinitionId),
    policy_set_definition_id: lowerId(record.policySetDefinitionId),
    group_names: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : null,
    compliance_state: text(record.complianceState) ?? legacy,
    evaluated_at: timestamp(record.timestamp),
  };
}

/** Rows of a page of records, and how many records named no resource (a page with any is not whole). */
export function policyStateRows(records: readonly unknown[]): { rows: PolicyStateRow[]; skipped: number } {
  const rows: PolicyStateRow[] = [];
  let skipped = 0;
  for (const r of records) {
    const row = r && typeof r === 'object' && !Array.isArray(r) ? policyStateRow(r as Record<string, unknown>) : null;
    if (row) rows.push(row);
    else skipped++;
  }
  return { rows, skipped };
}
