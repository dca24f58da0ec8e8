// The published shape of report.json: one zod schema, checked against the TypeScript types at compile
// time and emitted as JSON Schema (schemas/report.v1.schema.json) for consumers.
import { z } from 'zod';
import { waiverSchema } from '../config.js';
import type { TenantReport } from './tenant-report.js';

const counts = z.strictObject({
  pass: z.int().nonnegative(),
  fail: z.int().nonnegative(),
  error: z.int().nonnegative(),
  waived: z.int().nonnegative(),
  unknown: z.int().nonnegative(),
});
const requirementStatus = z.enum(['fail', 'error', 'pass', 'pass_partial', 'waived', 'not_applicable', 'manual']);
const severity = z.enum(['low', 'medium', 'high', 'critical']);
const status = z.enum(['pass', 'fail', 'error', 'waived', 'unknown']);

const deltaEntry = z.strictObject({
  check_id: z.string(),
  resource_id: z.string(),
  severity,
  before: status.nullable().describe('the verdict in the previous run; null when it did not evaluate the pair'),
  now: status.nullable().describe('the verdict now; null when this run no longer evaluates the pair'),
});

const money = z.number().describe('an amount in its currency, to the cent');
const finops = z
  .strictObject({
    status: z
      .enum(['complete', 'incomplete', 'not_collected'])
      .describe(
        'complete: every cost scope was collected whole and every shared cost split as configured; incomplete: see reasons, the amounts are a lower bound and must not be read as the whole bill; not_collected: the run had no cost source',
      ),
    reasons: z.array(z.string()),
    period: z.strictObject({ from: z.iso.date(), to: z.iso.date() }).nullable().describe('first and last day of cost allocated'),
    totals: z.array(
      z.strictObject({
        currency: z.string(),
        total: money,
        by_service: z.array(z.strictObject({ service: z.string(), amount: money })),
        by_day: z
          .array(z.strictObject({ day: z.iso.date(), amount: money }))
          .describe('the allocated cost of each day of the period, oldest first'),
        by_source: z
          .array(
            z.strictObject({
              source: z.enum(['direct', 'shared-cluster', 'shared-namespace', 'shared-service', 'idle', 'unassigned']),
              method: z
                .string()
                .describe(
                  'how the amount was attributed or split, e.g. tag, subscription, requests; cpu 65% / memory 35%; idle shared',
                ),
              cluster: z.string().nullable(),
              namespace: z.string().nullable(),
              detail: z.string().nullable().describe('the shared service, for shared-service amounts'),
              amount: money,
            }),
          )
          .describe('the allocation by source and method; in the _platform report, the unassigned and platform idle buckets'),
      }),
    ),
    recommendations: z
      .array(
        z.strictObject({
          rule_id: z.string(),
          resource_id: z.string(),
          action: z.string().nullable(),
          monthly_savings: z.number().nullable(),
          currency: z.string().nullable(),
          confidence: z.string().nullable(),
          reason: z.string().nullable(),
          price_sheet_date: z.string().nullable().describe('date of the price sheet the savings were priced with'),
        }),
      )
      .describe("the report's own top recommendations, largest monthly savings first"),
    signals: z.array(
      z.strictObject({
        kind: z.enum(['anomaly', 'budget']),
        day: z.string().nullable(),
        status: z.enum(['ok', 'alert', 'insufficient_data']),
        amount: z.number().nullable().describe("anomaly: the day's cost; budget: the month's forecast"),
        expected: z.number().nullable().describe('anomaly: the median of the history; budget: the monthly budget'),
        score: z.number().nullable().describe('anomaly: the robust z-score (null: infinite); budget: forecast / budget'),
        threshold: z.number().nullable(),
        currency: z.string().nullable(),
        reason: z.string(),
        new: z
          .boolean()
          .describe('an alert the previous nightly run did not raise (same day for an anomaly, same month for a budget)'),
      }),
    ),
  })
  .describe("the tenant's share of the cost: total, by service, allocation by source with its method, savings and signals");

export const reportSchema = z
  .strictObject({
    schema_version: z.literal(1),
    run: z.strictObject({
      run_id: z.string(),
      mode: z.enum(['nightly', 'gate']),
      started_at: z.string(),
      finished_at: z.string(),
      tool_version: z.string(),
      config_sha256: z.string().nullable(),
      status: z
        .enum(['ok', 'partial', 'failed'])
        .describe(
          'ok: every source scope collected completely (error verdicts are counted, not a run status); partial: a source scope was incomplete or failed; failed: nothing was collected',
        ),
    }),
    tenant: z
      .strictObject({ id: z.string(), name: z.string(), tier: z.string(), frameworks: z.array(z.string()) })
      .nullable()
      .describe('null for the _platform report: resources no tenant owns'),
    frameworks: z.record(
      z.string(),
      z.strictObject({
        title: z.string(),
        counts,
        requirements: z.array(
          z.strictObject({
            id: z.string(),
            title: z.string(),
            automation: z.string(),
            status: requirementStatus.describe(
              "the requirement's status from Compline's checks and Azure Policy together, fail closed, in this order: fail when a check fails or a policy state is non-compliant (passing checks never hide a non-compliant state); error when either side lacks evidence (a check verdict error or unknown; a policy source scope not collected whole, or a state neither compliant nor non-compliant); waived when waivers cover every failing check; pass (automated) or pass_partial (manual evidence also needed) only on evidence that passed, from either side, though Azure Policy alone never passes a requirement whose automation is manual; else not_applicable (checks found nothing in scope) or manual (no automated evidence). No evidence on either side is never a pass",
            ),
            decided_by: z
              .enum(['checks', 'azure-policy', 'both', 'waiver', 'manual'])
              .describe(
                'which evidence decided status: checks, azure-policy, or both (each alone would have decided the same); waiver (waivers cover the failing checks); manual (no automated evidence decides it)',
              ),
            checks_status: requirementStatus.describe("the status from Compline's checks alone (counts)"),
            checks: z.array(z.string()),
            counts: counts.describe("the checks' verdicts on this report's resources"),
            azure_policy: z
              .strictObject({
                group: z
                  .string()
                  .nullable()
                  .describe(
                    "the Azure Policy initiative's group for the requirement (policyDefinitionGroupNames); null when none maps to it",
                  ),
                status: z
                  .enum(['non_compliant', 'incomplete', 'compliant', 'no_states', 'not_collected', 'not_mapped'])
                  .describe(
                    "non_compliant: a state in the group is NonCompliant; incomplete: a policy source scope this report covers was partial or failed, or a state is neither Compliant nor NonCompliant (Unknown, Exempt, Conflict, ...); compliant: every state in the group is Compliant; no_states: the source was collected whole and holds no state of this report's resources in the group; not_collected: the run has no policy source; not_mapped: no group maps to the requirement",
                  ),
                counts: z.strictObject({
                  compliant: z.int().nonnegative(),
                  non_compliant: z.int().nonnegative(),
                  not_evaluated: z.int().nonnegative(),
                }),
                reason: z.string(),
              })
              .describe("Azure Policy's latest states of this report's resources in the requirement's group"),
          }),
        ),
        note: z.string().optional(),
      }),
    ),
    findings: z.array(
      z.strictObject({
        check_id: z.string(),
        title: z.string(),
        resource_id: z.string(),
        tenant_id: z.string().nullable(),
        status,
        severity,
        reason: z.string(),
        evidence: z.json().describe('the values that decided the verdict, as the check query returned them'),
        waiver_id: z.string().nullable(),
        plan_address: z.string().nullable(),
        requirements: z.record(z.string(), z.array(z.string())),
      }),
    ),
    delta: z
      .strictObject({
        previous_run: z
          .string()
          .nullable()
          .describe("the tenant's previous finished nightly run; null on its first run, when every failure is new"),
        new: z.array(deltaEntry).describe('failing now, and not failing when last known (never evaluated, or waived)'),
        regressed: z.array(deltaEntry).describe('failing now after passing when last known'),
        resolved: z
          .array(deltaEntry)
          .describe(
            'failing when last known and passing now, or failing in the previous run and no longer evaluated by a run that collected every source whole (now: null)',
          ),
      })
      .describe(
        "what changed since the tenant's previous run; each pair is compared with its last pass, fail or waived verdict, so a night of error verdicts (a partial source) does not make the same failures new again",
      ),
    waivers: z.strictObject({
      active: z.array(waiverSchema),
      expired: z.array(z.strictObject({ waiver: waiverSchema, matched: z.int().nonnegative() })),
    }),
    sources: z.array(
      z.strictObject({
        source: z.string(),
        scope: z.string(),
        status: z.enum(['ok', 'partial', 'failed']),
        error: z.string().nullable(),
        rows: z.number(),
        tenant_id: z.string().nullable(),
      }),
    ),
    unassigned: z.array(z.strictObject({ id: z.string(), type: z.string() })).optional(),
    finops: finops.optional(),
  })
  .describe('Compline per-tenant report (report.json), schema version 1');

/** Compiles only while every report the builder can produce fits the published schema. */
export function asPublished(report: TenantReport): z.output<typeof reportSchema> {
  return report;
}

export function reportJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(reportSchema, { io: 'output' }), $id: 'urn:compline:report:v1', title: 'report.json' };
}
