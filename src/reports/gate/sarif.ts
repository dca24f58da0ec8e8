// SARIF 2.1.0 for GitHub code scanning: one rule per check, one result per finding that is not a pass.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Waiver } from '../../config.js';
import type { CheckMeta, Remediation, Severity } from '../../model.js';
import { findingTarget, type GateFinding, type GateResult, remediationParagraphs, requirementIds } from './gate-result.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where the driver points readers; replace with the project's published home page once it has one. */

type Level = 'error' | 'warning' | 'note';

/** GitHub ranks security alerts by this score: critical ≥ 9, high ≥ 7, medium ≥ 4, low below. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

const REPORTED = new Set(['fail', 'error', 'unknown', 'waived']);

/** `kv-purge-protection` → `KvPurgeProtection`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');
}

/** A fenced block whose fence is longer than any backtick run inside the code. */
function fenced(language: string, code: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${code.trimEnd()}\n${fence}`;
}

function helpText(description: string, remediation: Remediation): string {
  return [description, ...remediationParagraphs(remediation)].join('\n\n');
}

function helpMarkdown(description: string, remediation: Remediation): string {
  const parts = [description];
  if (remediation.portal) parts.push(`**Portal:** ${remediation.portal.trim()}`);
  if (remediation.cli) parts.push(`**Azure CLI:**\n\n${fenced('sh', remediation.cli)}`);
  if (remediation.terraform) parts.push(`**Terraform:**\n\n${fenced('hcl', remediation.terraform)}`);
  return parts.join('\n\n');
}

interface RuleSource {
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  requirements: Record<string, string[]>;
  remediation: Remediation;
}

function rule(source: RuleSource) {
  const description = source.description?.trim() || source.title;
  return {
    id: source.id,
    name: pascalCase(source.id),
    shortDescription: { text: source.title },
    fullDescription: { text: description },
    help: { text: helpText(description, source.remediation), markdown: helpMarkdown(description, source.remediation) },
    defaultConfiguration: { level: LEVEL[source.severity] },
    properties: {
      tags: [...requirementIds(source.requirements), 'security'],
      'security-severity': SECURITY_SEVERITY[source.severity],
      severity: source.severity,
    },
  };
}

function message(finding: GateFinding): string {
  if (finding.status === 'error') return `Evidence missing: ${finding.reason}`;
  if (finding.status === 'unknown') return `Evidence missing until apply (value unknown in the plan): ${finding.reason}`;
  return finding.reason;
}

function suppression(finding: GateFinding, waivers: ReadonlyMap<string, Waiver>) {
  const waiver = finding.waiver_id ? waivers.get(finding.waiver_id) : undefined;
  const justification = waiver
    ? `${waiver.reason} (waiver ${waiver.id}, approved by ${waiver.approver}, ticket ${waiver.ticket}, expires ${waiver.expires})`
    : `${finding.reason} (waiver ${finding.waiver_id ?? 'unrecorded'})`;
  return {
    kind: 'external' as const,
    status: 'accepted' as const,
    justification,
    ...(waiver
      ? { properties: { waiver_id: waiver.id, approver: waiver.approver, ticket: waiver.ticket, expires: waiver.expires } }
      : {}),
  };
}

/** A relative path as a URI reference: forward slashes, no leading `./`, each segment percent-encoded. */
function relativeUri(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** Paths below the source root are relative to SRCROOT; GitHub resolves it to the checkout. */
export const SOURCE_ROOT_ID = 'SRCROOT';

/**
 * Where a finding points: its resource block (file and line) when found, else the plan file — relative to SRCROOT when
 * below it, a file:// URI when elsewhere, and a bare name only for a plan read from stdin or a pipe.
 */
function artifactFor(result: GateResult, f: GateFinding) {
  if (f.location)
    return {
      artifactLocation: { uri: relativeUri(f.location.file), uriBaseId: SOURCE_ROOT_ID },
      region: { startLine: f.location.line },
    };
  const { plan, plan_path } = result.source;
  if (plan !== null) return { artifactLocation: { uri: relativeUri(plan), uriBaseId: SOURCE_ROOT_ID } };
  if (plan_path !== null) return { artifactLocation: { uri: pathToFileURL(plan_path).href } };
  return { artifactLocation: { uri: relativeUri(result.plan.label) } };
}

export function renderSarif(result: GateResult, checks: readonly CheckMeta[]): string {
  const catalogue = new Map(checks.map((c) => [c.id, c]));
  const sources: RuleSource[] = [...catalogue.values()].sort((a, b) => a.id.localeCompare(b.id));
  const known = new Set(catalogue.keys());
  // A finding of a check missing from the catalogue still gets a rule, built from what the finding carries.
  for (const f of result.findings) {
    if (known.has(f.check_id) || !REPORTED.has(f.status)) continue;
    known.add(f.check_id);
    sources.push({ id: f.check_id, title: f.title, severity: f.severity, requirements: f.requirements, remediation: {} });
  }
  const ruleIndex = new Map(sources.map((s, i) => [s.id, i]));
  const waivers = new Map(result.waivers.active.map((w) => [w.id, w]));

  const results = result.findings
    .filter((f) => REPORTED.has(f.status))
    .map((f) => {
      const target = findingTarget(f);
      return {
        ruleId: f.check_id,
        ruleIndex: ruleIndex.get(f.check_id) ?? -1,
        level: f.status === 'error' || f.status === 'unknown' ? 'warning' : LEVEL[f.severity],
        message: { text: message(f) },
        locations: [
          {
            physicalLocation: artifactFor(result, f),
            logicalLocations: [{ fullyQualifiedName: target, kind: 'resource' }],
          },
        ],
        partialFingerprints: {
          'compline/v1': createHash('sha256').update(`${f.check_id}\n${target}`).digest('hex'),
        },
        ...(f.status === 'waived' ? { suppressions: [suppression(f, waivers)] } : {}),
        properties: {
          status: f.status,
          severity: f.severity,
          blocking: f.blocking,
          requirements: requirementIds(f.requirements),
          resource_id: f.resource_id,
        },
      };
    });

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Compline',
            version: result.tool.version,
            semanticVersion: result.tool.version,
            rules: sources.map(rule),
          },
        },
        // The folder must end in a slash for relative references to resolve under it (SARIF §3.14.14).
        originalUriBaseIds: { [SOURCE_ROOT_ID]: { uri: pathToFileURL(`${result.source.root.replace(/[\\/]+$/, '')}/`).href } },
        invocations: [{ executionSuccessful: true }],
        results,
        properties: {
          plan: result.plan.label,
          tenant: result.tenant,
          fail_on: result.fail_on,
          unknown_policy: result.unknown_policy,
          summary: result.summary,
          cost: {
            monthly_delta: result.cost.monthly_delta,
            currency: result.cost.price_sheet.currency,
            price_sheet_date: result.cost.price_sheet.date,
            price_sheet: result.cost.price_sheet,
            priced: result.cost.items.length,
            not_priced: result.cost.not_priced.length,
            unpriced_types: result.cost.unpriced_types,
            budget: result.cost.budget,
          },
          exit_code: result.exit_code,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
