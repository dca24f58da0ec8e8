// JUnit XML for Azure DevOps (PublishTestResults@2, testResultsFormat JUnit): a suite per check, a case per resource.
import type { CheckMeta, Remediation } from '../../model.js';
import {
  costSummary,
  findingTarget,
  type GateFinding,
  type GateResult,
  remediationParagraphs,
  requirementIds,
} from './gate-result.js';

/** Characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF; lone surrogates) become U+FFFD. */
const INVALID_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values keep their line breaks and tabs as character references (a parser would fold them to spaces). */
export function xmlAttr(value: string): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${xmlAttr(String(value))}"`)
    .join('');
}

function remediationText(remediation: Remediation | undefined): string {
  const paragraphs = remediation ? remediationParagraphs(remediation) : [];
  return paragraphs.length ? `\n\nRemediation:\n${paragraphs.join('\n')}` : '';
}

function details(f: GateFinding): string {
  const requirements = requirementIds(f.requirements);
  return [
    f.reason,
    '',
    `Check: ${f.check_id}: ${f.title} (${f.severity}${f.blocking ? ', blocking' : ''})`,
    `Resource: ${f.resource_id}`,
    ...(f.location ? [`Source: ${f.location.file}:${f.location.line}`] : []),
    ...(requirements.length ? [`Requirements: ${requirements.join(', ')}`] : []),
  ].join('\n');
}

function waivedBy(f: GateFinding, result: GateResult): string {
  const waiver = result.waivers.active.find((w) => w.id === f.waiver_id);
  if (!waiver) return `waived by ${f.waiver_id ?? 'an unrecorded waiver'}: ${f.reason}`;
  return `waived by ${waiver.id} (approved by ${waiver.approver}, ticket ${waiver.ticket}, expires ${waiver.expires}): ${waiver.reason}`;
}

function testcase(f: GateFinding, check: CheckMeta | undefined, result: GateResult): string {
  // file / line: the attributes JUnit consumers that place test cases in source (GitLab, Jenkins) read.
  const place: Record<string, string | number> = f.location ? { file: f.location.file, line: f.location.line } : {};
  const open = `    <testcase${attrs({ classname: f.check_id, name: findingTarget(f), ...place, time: 0 })}`;
  switch (f.status) {
    case 'pass':
      return `${open}/>`;
    case 'fail':
      return `${open}>\n      <failure${attrs({ message: f.reason, type: f.severity })}>${xmlText(details(f) + remediationText(check?.remediation))}</failure>\n    </testcase>`;
    case 'error':
    case 'unknown':
      return `${open}>\n      <error${attrs({ message: `Evidence missing (${f.status}): ${f.reason}`, type: f.status })}>${xmlText(details(f))}</error>\n    </testcase>`;
    case 'waived':
      return `${open}>\n      <skipped${attrs({ message: waivedBy(f, result) })}/>\n    </testcase>`;
  }
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function counts(findings: readonly GateFinding[]): Counts {
  return {
    tests: findings.length,
    failures: findings.filter((f) => f.status === 'fail').length,
    errors: findings.filter((f) => f.status === 'error' || f.status === 'unknown').length,
    skipped: findings.filter((f) => f.status === 'waived').length,
  };
}

/** The cost as a suite of its own: the price sheet's date and the delta as properties, the budget as its one case. */
function costSuite(result: GateResult): string[] {
  const { cost } = result;
  const budget = cost.budget;
  const failed = budget?.blocking ?? false;
  const properties = {
    price_sheet_date: cost.price_sheet.date,
    price_sheet: cost.price_sheet.file ?? 'bundled',
    currency: cost.price_sheet.currency,
    monthly_delta: cost.monthly_delta.toFixed(2),
    priced: String(cost.items.length),
    not_priced: String(cost.not_priced.length + Object.values(cost.unpriced_types).reduce((s, n) => s + n, 0)),
    ...(budget ? { budget_limit: budget.limit.toFixed(2), budget_status: budget.status } : {}),
  };
  const open = `    <testcase${attrs({ classname: 'compline-cost', name: 'monthly cost delta', time: 0 })}`;
  return [
    `  <testsuite${attrs({ name: 'compline-cost', tests: 1, failures: failed ? 1 : 0, errors: 0, skipped: 0, time: 0 })}>`,
    `    <properties>${Object.entries(properties)
      .map(([name, value]) => `<property${attrs({ name, value })}/>`)
      .join('')}</properties>`,
    failed
      ? `${open}>\n      <failure${attrs({ message: budget!.reason, type: `budget ${budget!.status}` })}>${xmlText(costSummary(cost))}</failure>\n    </testcase>`
      : `${open}>\n      <system-out>${xmlText(costSummary(cost))}</system-out>\n    </testcase>`,
    '  </testsuite>',
  ];
}

export function renderJunit(result: GateResult, checks: readonly CheckMeta[]): string {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const suites = new Map<string, GateFinding[]>();
  for (const f of result.findings) {
    const suite = suites.get(f.check_id);
    if (suite) suite.push(f);
    else suites.set(f.check_id, [f]);
  }
  const total = counts(result.findings);
  // The cost suite's one case counts too.
  total.tests++;
  if (result.cost.budget?.blocking) total.failures++;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: 'compline', ...total, time: 0 })}>`];
  for (const id of [...suites.keys()].sort()) {
    const findings = suites.get(id) ?? [];
    const check = byId.get(id);
    lines.push(`  <testsuite${attrs({ name: id, ...counts(findings), time: 0 })}>`);
    if (check) {
      lines.push(`    <properties><property${attrs({ name: 'title', value: check.title })}/></properties>`);
    }
    for (const f of findings) lines.push(testcase(f, check, result));
    lines.push('  </testsuite>');
  }
  lines.push(...costSuite(result), '</testsuites>');
  return `${lines.join('\n')}\n`;
}
