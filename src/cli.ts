#!/usr/bin/env node
// Routes argv to a command function and turns typed errors into exit codes. Nothing else.
import * as nodeModule from 'node:module';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { SEVERITIES } from './model.js';
import { TOOL_VERSION } from './version.js';

// Node ≥ 22 keeps compiled code between runs, which a CI gate (started cold every time) feels most; the
// commands below load after this. Older Node has no such cache, and a cache it cannot write is skipped.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

type Options = NonNullable<ParseArgsConfig['options']>;
interface Command {
  usage: string;
  options: Options;
  positionals: [min: number, max: number];
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const out = (text: string): void => {
  process.stdout.write(text);
  // Appending to a large report would copy it; a separate newline does not.
  if (!text.endsWith('\n')) process.stdout.write('\n');
};

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new UsageError(`--${name}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** `512M` → bytes. */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-plan-size: expected a size such as 512M, got ${text}`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  const factor = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * factor);
}

const COMMANDS: Record<string, Command> = {
  run: {
    usage: `compline run [--config FILE] [--out DIR] [--store FILE] [--parquet DIR] [--fail-on SEVERITY] [--format text|json]

Collects the estate named in the config, evaluates every check, and writes one report per tenant
(plus _platform for resources no tenant owns) to <out>/<run-id>/<tenant>/report.json.

  --config FILE       compline.yaml (default: ./compline.yaml)
  --out DIR           output folder (default: output.dir in the config, relative to it)
  --store FILE        DuckDB file keeping run history (default: output.store in the config)
  --parquet DIR       also export this run's tables to DIR/<run-id>/<table>.parquet
  --fail-on SEVERITY  exit 1 when a failing finding is at or above low|medium|high|critical (default: never)
  --format FORMAT     text (summary table, default) or json (run id, status, counts)

Status ok: every source scope collected completely; partial: a scope was incomplete or failed; failed:
nothing collected. partial and failed exit 4 (before 1), with one line on stderr saying why.`,
    options: {
      config: { type: 'string', default: 'compline.yaml' },
      out: { type: 'string' },
      store: { type: 'string' },
      parquet: { type: 'string' },
      'fail-on': { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
    positionals: [0, 0],
    async run(v) {
      const { runCommand } = await import('./commands/run.js');
      const failOn = v['fail-on'] === undefined ? undefined : oneOf('fail-on', v['fail-on'], SEVERITIES);
      const format = oneOf('format', v.format, ['text', 'json'] as const);
      const result = await runCommand({
        config: String(v.config),
        ...(v.out ? { out: String(v.out) } : {}),
        ...(v.store ? { store: String(v.store) } : {}),
        ...(v.parquet ? { parquet: String(v.parquet) } : {}),
        ...(failOn ? { failOn } : {}),
      });
      if (format === 'json') {
        const tenants = Object.fromEntries(
          [...result.reports].map(([id, r]) => [
            id,
            Object.fromEntries(Object.entries(r.frameworks).map(([fw, s]) => [fw, s.counts])),
          ]),
        );
        out(
          JSON.stringify(
            {
              run_id: result.runId,
              status: result.status,
              sources: result.sources,
              exit_code: result.exitCode,
              out: result.outDir,
              tenants,
            },
            null,
            2,
          ),
        );
      } else {
        out(`run ${result.runId} (${result.status}) → ${result.outDir}\n\n${result.summary}`);
      }
      if (result.exitReason) process.stderr.write(`compline: ${result.exitReason}\n`);
      return result.exitCode;
    },
  },
  gate: {
    usage: `compline gate <plan.json|-> [--config FILE] [--tenant ID] [--fail-on SEVERITY] [--unknown fail|warn] [--format FORMAT] [--output FORMAT=PATH ...]

Evaluates a Terraform plan (terraform show -json output, from a file or - for stdin) against the check catalogue.

  --config FILE         compline.yaml: waivers and check parameters (optional)
  --tenant ID           evaluate with this tenant's frameworks and waivers (needs --config); default: every framework
  --fail-on SEVERITY    exit 1 when a fail or error is at or above low|medium|high|critical (default: high)
  --unknown fail|warn   whether values known only after apply break the gate (default: warn)
  --format FORMAT       stdout format: text (default), json, sarif, junit, markdown
  --output FORMAT=PATH  also write FORMAT to PATH; repeatable (e.g. --output sarif=compline.sarif)
  --max-plan-size SIZE  refuse plans larger than SIZE bytes (suffixes K, M, G; default 512M)`,
    options: {
      config: { type: 'string' },
      tenant: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      unknown: { type: 'string', default: 'warn' },
      format: { type: 'string', default: 'text' },
      output: { type: 'string', multiple: true, default: [] },
      'max-plan-size': { type: 'string' },
    },
    positionals: [1, 1],
    async run(v, p) {
      const { gateCommand, GATE_FORMATS, parseOutputSpec } = await import('./commands/gate.js');
      const { result, rendered } = await gateCommand({
        plan: p[0]!,
        ...(v.config ? { config: String(v.config) } : {}),
        ...(v.tenant ? { tenant: String(v.tenant) } : {}),
        failOn: oneOf('fail-on', v['fail-on'], SEVERITIES),
        unknown: oneOf('unknown', v.unknown, ['fail', 'warn'] as const),
        format: oneOf('format', v.format, GATE_FORMATS),
        outputs: (v.output as string[]).map(parseOutputSpec),
        color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
        ...(v['max-plan-size'] ? { maxPlanBytes: parseSize(String(v['max-plan-size'])) } : {}),
      });
      out(rendered);
      return result.exit_code;
    },
  },
  'checks list': {
    usage: `compline checks list [--framework pci-dss-4.0.1|sox-itgc] [--format table|json]

Lists the check catalogue with severity and requirement ids.`,
    options: { framework: { type: 'string' }, format: { type: 'string', default: 'table' } },
    positionals: [0, 0],
    async run(v) {
      const format = oneOf('format', v.format, ['table', 'json'] as const);
      const { checksList } = await import('./commands/checks.js');
      out(await checksList({ ...(v.framework ? { framework: String(v.framework) } : {}), format }));
      return 0;
    },
  },
  'checks show': {
    usage: `compline checks show <check-id> [--format text|json]

Shows one check: requirements, parameters, remediation (portal, az CLI, Terraform) and its query.`,
    options: { format: { type: 'string', default: 'text' } },
    positionals: [1, 1],
    async run(v, p) {
      const { checksShow } = await import('./commands/checks.js');
      out(await checksShow(p[0]!, oneOf('format', v.format, ['text', 'json'] as const)));
      return 0;
    },
  },
  'config validate': {
    usage: `compline config validate <file>

Validates compline.yaml against the schema and the check catalogue; prints every problem with its path.`,
    options: {},
    positionals: [1, 1],
    async run(_v, p) {
      const { configValidate } = await import('./commands/config.js');
      out(await configValidate(p[0]!));
      return 0;
    },
  },
  'config schema': {
    usage: `compline config schema

Prints the JSON Schema of compline.yaml (the same as compline.schema.json), for editors.`,
    options: {},
    positionals: [0, 0],
    async run() {
      const { configSchemaText } = await import('./commands/config.js');
      out(configSchemaText());
      return 0;
    },
  },
};

const GLOBAL_USAGE = `compline ${TOOL_VERSION} — compliance and FinOps audit for multi-tenant Azure + AKS

Usage: compline <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(17)} ${c.usage.split('\n\n')[1]?.split('\n')[0] ?? ''}`)
  .join('\n')}

Options: --help (also after any command), --version
Exit codes: 0 ok, 1 findings at or above the threshold, 2 bad input or usage, 3 internal error,
4 (run) sources partial or failed`;

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    out(TOOL_VERSION);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(GLOBAL_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const name = COMMANDS[two] ? two : argv[0]!;
  const command = COMMANDS[name];
  if (!command) {
    const group = Object.keys(COMMANDS).filter((k) => k.startsWith(`${argv[0]} `));
    throw new UsageError(
      group.length
        ? `${argv[0]}: expected one of ${group.map((g) => g.split(' ')[1]).join(', ')}`
        : `unknown command ${argv[0]} (see compline --help)`,
    );
  }
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    out(command.usage);
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message.split('\n')[0]}`);
  }
  const [min, max] = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw new UsageError(`usage: ${command.usage.split('\n')[0]}`);
  }
  return command.run(parsed.values as Record<string, unknown>, parsed.positionals);
}

// A closed pipe (`compline checks list | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof Error && 'exitCode' in e && typeof e.exitCode === 'number') {
      process.stderr.write(`compline: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`compline: internal error: ${message}\n`);
    if (process.env.COMPLINE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 3;
  },
);
