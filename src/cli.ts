#!/usr/bin/env node
// Routes argv to a command function and turns typed errors into exit codes. Nothing else.
import * as nodeModule from 'node:module';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { SEVERITIES } from './model.js';
import { didYouMean } from './suggest.js';
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

/** A mistake in the command line itself: reported as `compline <command>: …`. */
class ArgumentError extends UsageError {
  constructor(
    message: string,
    public command?: string,
  ) {
    super(message);
  }
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new ArgumentError(
      `--${name} ${String(value)}: expected one of ${allowed.join(', ')}${didYouMean(String(value), allowed)}`,
    );
  }
  return value as T;
}

/** `512M` → bytes. Zero is refused rather than read as "no limit". */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?)?$/i.exec(text.trim());
  const unit = (m?.[2] ?? '').toUpperCase()[0];
  const factor = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  const bytes = m ? Math.floor(Number(m[1]) * factor) : Number.NaN;
  if (!(bytes >= 1)) throw new ArgumentError(`--max-plan-size ${text}: expected a size of at least 1 byte, such as 512M`);
  return bytes;
}

/** `250`, `99.50` → a non-negative amount in the price sheet's currency. */
function parseAmount(text: string): number {
  const amount = /^\d+(\.\d{1,2})?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(amount)) throw new ArgumentError(`--budget-delta ${text}: expected an amount such as 250 or 99.50`);
  return amount;
}

const COMMANDS: Record<string, Command> = {
  run: {
    usage: `compline run [--config FILE] [--out DIR] [--store FILE] [--parquet DIR] [--fail-on SEVERITY] [--format text|json] [--shard I/N] [--run-id ID] [--log-format text|json] [--metrics-file FILE] [--pushgateway URL]

Collects the estate named in the config, evaluates every check, and writes one report per tenant
(plus _platform for resources no tenant owns) to <out>/<run-id>/<tenant>/report.json.

  --config FILE       compline.yaml (default: ./compline.yaml)
  --out DIR           output folder (default: output.dir in the config, relative to it)
  --store FILE        DuckDB file keeping run history (default: output.store in the config)
  --parquet DIR       also export this run's tables to DIR/<run-id>/<table>.parquet
                      Missing folders are created; a path that cannot be is refused before any work.
  --fail-on SEVERITY  exit 1 when a failing finding is at or above low|medium|high|critical (default: never)
  --format FORMAT     text (summary table, default) or json (run id, status, counts)
  --shard I/N         report only the tenants of shard I of N (0-based; _platform on shard 0), into
                      <out>/<run-id>/shard-I-of-N/ with a Parquet snapshot for compline merge
  --run-id ID         the run's id, shared by the shards of one run; {date} is today's UTC date (YYYYMMDD)
  --log-format FORMAT text (warn:/error: lines, progress on a terminal; default) or json (one pino record a
                      line, with run_id, source, tenant); default from COMPLINE_LOG_FORMAT
  --metrics-file FILE write Prometheus metrics to FILE (node-exporter textfile) when the run ends
  --pushgateway URL   push them to a Prometheus Pushgateway (default: COMPLINE_PUSHGATEWAY_URL)

Status ok: every source scope collected completely; partial: a scope was incomplete or failed; failed:
nothing collected. partial and failed exit 4 (before 1), with one line on stderr saying why. Reports
not published to output.blob exit 6 (before 1, after 4).`,
    options: {
      config: { type: 'string', default: 'compline.yaml' },
      out: { type: 'string' },
      store: { type: 'string' },
      parquet: { type: 'string' },
      'fail-on': { type: 'string' },
      format: { type: 'string', default: 'text' },
      shard: { type: 'string' },
      'run-id': { type: 'string' },
      'log-format': { type: 'string' },
      'metrics-file': { type: 'string' },
      pushgateway: { type: 'string' },
    },
    positionals: [0, 0],
    async run(v) {
      const { runCommand } = await import('./commands/run.js');
      const { expandRunId, parseShard } = await import('./sharding/shard.js');
      const { RunTelemetry } = await import('./observability/run-telemetry.js');
      const logFormat = oneOf('log-format', v['log-format'] ?? (process.env.COMPLINE_LOG_FORMAT || 'text'), [
        'text',
        'json',
      ] as const);
      const metricsFile = v['metrics-file'] ? String(v['metrics-file']) : null;
      if (metricsFile) await (await import('./output-paths.js')).checkOutputFile(`--metrics-file ${metricsFile}`, metricsFile);
      const pushgateway = v.pushgateway ? String(v.pushgateway) : process.env.COMPLINE_PUSHGATEWAY_URL || null;
      if (pushgateway && !/^https?:\/\/[^/]/.test(pushgateway))
        throw new ArgumentError(`--pushgateway ${pushgateway}: expected an http(s) URL`);
      const shard = v.shard ? parseShard(String(v.shard)) : undefined;
      const telemetry = new RunTelemetry({ format: logFormat });
      const failOn = v['fail-on'] === undefined ? undefined : oneOf('fail-on', v['fail-on'], SEVERITIES);
      const format = oneOf('format', v.format, ['text', 'json'] as const);
      const result = await runCommand({
        config: String(v.config),
        ...(v.out ? { out: String(v.out) } : {}),
        ...(v.store ? { store: String(v.store) } : {}),
        ...(v.parquet ? { parquet: String(v.parquet) } : {}),
        ...(failOn ? { failOn } : {}),
        ...(shard ? { shard } : {}),
        ...(v['run-id'] ? { runId: expandRunId('--run-id', String(v['run-id']), new Date()) } : {}),
        telemetry,
      });
      for (const [tenant, r] of result.reports)
        telemetry.progress(
          { tenant },
          Object.entries(r.frameworks)
            .map(([fw, s]) => `${fw} ${s.counts.fail} fail, ${s.counts.error} error`)
            .join('; ') || 'no frameworks',
        );
      telemetry.metrics.runFindings(result.findings);
      telemetry.metrics.runEnded(result.status, result.exitCode);
      // Metrics that cannot be delivered are said, never the run's exit code: the run itself is the record.
      if (metricsFile)
        await telemetry.metrics
          .writeTextfile(metricsFile)
          .catch((e: Error) => telemetry.line(`warn: metrics not written to ${metricsFile}: ${e.message.split('\n')[0]}`));
      if (pushgateway)
        await telemetry.metrics
          .push(pushgateway, shard ? { shard: `${shard.index}-of-${shard.count}` } : {})
          .catch((e: Error) => telemetry.line(`warn: metrics not pushed to the Pushgateway: ${e.message.split('\n')[0]}`));
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
              ...(result.uploads.length
                ? {
                    published: result.uploads.map((u) => ({
                      tenant: u.tenant,
                      file: u.name,
                      url: u.url,
                      sha256: u.sha256,
                      ...(u.sas_url ? { sas_url: u.sas_url } : {}),
                    })),
                  }
                : {}),
              tenants,
            },
            null,
            2,
          ),
        );
      } else {
        out(`run ${result.runId} (${result.status}) → ${result.outDir}\n\n${result.summary}`);
        if (result.uploads.length) {
          const packs = result.uploads.filter((u) => u.name.endsWith('.zip'));
          const tenants = new Set(result.uploads.map((u) => u.tenant)).size;
          out(`\npublished ${result.uploads.length} files of ${tenants} tenant folders to Blob Storage`);
          for (const p of packs) out(`  ${p.tenant}: ${p.sas_url ?? p.url}`);
        }
      }
      if (result.exitReason) process.stderr.write(`compline: ${result.exitReason}\n`);
      return result.exitCode;
    },
  },
  merge: {
    usage: `compline merge --run ID [--config FILE] [--from DIR] [--shards N] [--format text|json]

Merges the shards of a sharded run (compline run --shard I/N --run-id ID) into the platform-wide summary.

  --run ID         the run id the shards were given ({date} is today's UTC date, YYYYMMDD)
  --config FILE    compline.yaml (default: ./compline.yaml); the shards must have run the same one
  --from DIR       the shards' --out folder (default: output.blob when configured, else output.dir)
  --shards N       the shard count expected (default: what the shards recorded)
  --format FORMAT  text (summary table, default) or json

The summary is each tenant's verdict counts and FinOps totals (cost, allocation, savings), as one process
prints them. With a signer configured, each shard's shard.json must verify under it; without one, the shards
are integrity-checked only (SHA-256), and the output says so.

Exit 0 every shard whole and complete; 4 a shard missing, partial (its first incomplete source named),
altered, unsigned or not matching its signature, of another config, holding rows of a tenant whose shard did
not collect them, or a bill the shards' allocations do not add up to to the cent: named on stderr, with no summary.`,
    options: {
      run: { type: 'string' },
      config: { type: 'string', default: 'compline.yaml' },
      from: { type: 'string' },
      shards: { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
    positionals: [0, 0],
    async run(v) {
      if (!v.run) throw new ArgumentError('--run is required (the run id the shards were given)');
      const format = oneOf('format', v.format, ['text', 'json'] as const);
      const shards = v.shards === undefined ? undefined : Number(v.shards);
      if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1))
        throw new ArgumentError(`--shards ${String(v.shards)}: expected a whole number of at least 1`);
      const { expandRunId } = await import('./sharding/shard.js');
      const { mergeCommand } = await import('./commands/merge.js');
      const result = await mergeCommand({
        config: String(v.config),
        runId: expandRunId('--run', String(v.run), new Date()),
        ...(v.from ? { from: String(v.from) } : {}),
        ...(shards !== undefined ? { shards } : {}),
      });
      if (result.exitCode === 0) {
        if (format === 'json') {
          const tenants = Object.fromEntries([...result.tenants].map(([t, fws]) => [t, Object.fromEntries(fws)]));
          const finops = Object.fromEntries(result.finops);
          const { runId: run_id, status, shards, integrity } = result;
          out(JSON.stringify({ run_id, status, integrity, shards, tenants, finops }, null, 2));
        } else {
          const integrity =
            result.integrity === 'signed'
              ? 'every shard.json verified under the configured signer'
              : 'shards integrity-checked only: no signer is configured, so shard.json is not signed (its files are checked against the SHA-256 it lists)';
          out(
            `run ${result.runId} (${result.shards.length} shards merged) ← ${result.location}\n${integrity}\n\n${result.summary}`,
          );
        }
      }
      if (result.exitReason) process.stderr.write(`compline: ${result.exitReason}\n`);
      return result.exitCode;
    },
  },
  doctor: {
    usage: `compline doctor [--config FILE]

Checks that every configured source and output can be used before a night depends on it: the Azure
credential, Resource Graph and Policy per subscription, every Kubernetes cluster (each kind it lists), the
Terraform state containers, the output container (a probe blob written and deleted), the Key Vault signer
(a test signature) and the output folder and store. Each failure names what is missing, e.g. the role to
grant and where (docs/permissions.md).

  --config FILE  compline.yaml (default: ./compline.yaml)

Exit 0 everything usable; 4 something configured cannot be used; 2 the config itself is wrong.`,
    options: { config: { type: 'string', default: 'compline.yaml' } },
    positionals: [0, 0],
    async run(v) {
      const { doctorCommand } = await import('./commands/doctor.js');
      const result = await doctorCommand({ config: String(v.config) });
      out(result.text);
      return result.exitCode;
    },
  },
  gate: {
    usage: `compline gate <plan.json|-> [--config FILE] [--tenant ID] [--fail-on SEVERITY] [--unknown fail|warn] [--format FORMAT] [--output FORMAT=PATH ...] [--max-plan-size SIZE] [--budget-delta AMOUNT] [--prices FILE] [--source-dir DIR]

Evaluates a Terraform plan (terraform show -json output, from a file or - for stdin) against the check catalogue.

  --config FILE         compline.yaml: waivers and check parameters (optional)
  --tenant ID           evaluate with this tenant's frameworks and waivers (needs --config); default: every framework
  --fail-on SEVERITY    exit 1 when a fail or error is at or above low|medium|high|critical (default: high)
  --unknown fail|warn   whether values known only after apply break the gate (default: warn)
  --format FORMAT       stdout format: text (default), json, sarif, junit, markdown
  --output FORMAT=PATH  also write FORMAT to PATH; repeatable (e.g. --output sarif=compline.sarif); missing
                        folders are created, and all files appear together or none does
  --max-plan-size SIZE  refuse plans larger than SIZE bytes (at least 1; suffixes K, M, G; default 512M)
  --budget-delta AMOUNT exit 7 when the plan's monthly cost delta exceeds AMOUNT (the price sheet's currency), or
                        when a resource that may raise it has no price
  --prices FILE         price sheet from compline prices refresh (default: finops.prices in --config, else the
                        bundled, dated sheet)
  --source-dir DIR      the root module's folder, where findings' resource blocks are looked for (default: the
                        plan's folder, or the first folder above it up to the repository root with .tf files)

Every format shows the plan's monthly cost delta at list prices and the price sheet's date.`,
    options: {
      config: { type: 'string' },
      tenant: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      unknown: { type: 'string', default: 'warn' },
      format: { type: 'string', default: 'text' },
      output: { type: 'string', multiple: true, default: [] },
      'max-plan-size': { type: 'string' },
      'budget-delta': { type: 'string' },
      prices: { type: 'string' },
      'source-dir': { type: 'string' },
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
        ...(v['max-plan-size'] !== undefined ? { maxPlanBytes: parseSize(String(v['max-plan-size'])) } : {}),
        ...(v['budget-delta'] !== undefined ? { budgetDelta: parseAmount(String(v['budget-delta'])) } : {}),
        ...(v.prices ? { prices: String(v.prices) } : {}),
        ...(v['source-dir'] !== undefined ? { sourceDir: String(v['source-dir']) } : {}),
      });
      out(rendered);
      return result.exit_code;
    },
  },
  'checks list': {
    usage: `compline checks list [--framework pci-dss-4.0.1|sox-itgc] [--format text|json]

Lists the check catalogue with severity and requirement ids.

  --framework ID   only the checks mapped to this framework
  --format FORMAT  text (a table, default; table is accepted too) or json`,
    options: { framework: { type: 'string' }, format: { type: 'string', default: 'text' } },
    positionals: [0, 0],
    async run(v) {
      // `table` was this format's first name; it stays accepted.
      const format = oneOf('format', v.format, ['text', 'json', 'table'] as const);
      const { checksList } = await import('./commands/checks.js');
      out(
        await checksList({
          ...(v.framework ? { framework: String(v.framework) } : {}),
          format: format === 'json' ? 'json' : 'text',
        }),
      );
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
  'rules list': {
    usage: `compline rules list [--format text|json]

Lists the FinOps rules (rightsizing and idle resources) with the action each recommends.

  --format FORMAT  text (a table, default) or json`,
    options: { format: { type: 'string', default: 'text' } },
    positionals: [0, 0],
    async run(v) {
      const { rulesList } = await import('./commands/rules.js');
      out(rulesList(oneOf('format', v.format, ['text', 'json'] as const)));
      return 0;
    },
  },
  'rules show': {
    usage: `compline rules show <rule-id> [--format text|json]

Shows one FinOps rule: what it recommends and when, its confidence levels, parameters and its query.`,
    options: { format: { type: 'string', default: 'text' } },
    positionals: [1, 1],
    async run(v, p) {
      const { rulesShow } = await import('./commands/rules.js');
      out(rulesShow(p[0]!, oneOf('format', v.format, ['text', 'json'] as const)));
      return 0;
    },
  },
  verify: {
    usage: `compline verify <pack.zip|report.pdf|report.json> [--cert CA.pem | --key PUBLIC.pem | --jwks FILE] [--signature FILE]

Checks that an evidence pack, a report.pdf (its embedded signature) or a report.json with its report.json.jws
is what Compline signed: every file against the signed manifest, the signature, and the signer against the
trust anchor you give.

  --cert FILE       PEM certificates you trust (your CA); the signer's chain must lead to one of them
  --key FILE        the signer's public key (PEM)
  --jwks FILE       a JSON Web Key Set holding the signer's key
  --signature FILE  report.json's detached signature (default: report.json.jws beside it)

Exit 0 genuine: intact and signed by a key you trust; 1 not genuine, naming the first file that fails;
5 intact and validly signed, but no trust anchor was given (or it does not cover the signer).`,
    options: { cert: { type: 'string' }, key: { type: 'string' }, jwks: { type: 'string' }, signature: { type: 'string' } },
    positionals: [1, 1],
    async run(v, p) {
      const { verifyCommand } = await import('./commands/verify.js');
      const result = await verifyCommand({
        file: p[0]!,
        ...(v.cert ? { cert: String(v.cert) } : {}),
        ...(v.key ? { key: String(v.key) } : {}),
        ...(v.jwks ? { jwks: String(v.jwks) } : {}),
        ...(v.signature ? { signature: String(v.signature) } : {}),
      });
      out(result.text);
      return result.exitCode;
    },
  },
  replay: {
    usage: `compline replay <pack.zip> [check-id]

Re-performs the pack's tests without Azure: its SQL and macros over its own evidence rows in a fresh
DuckDB, every verdict compared with the one the pack reports. Only an intact pack is replayed.

Exit 0 every verdict identical; 1 a verdict differs or the pack is not intact.`,
    options: {},
    positionals: [1, 2],
    async run(_v, p) {
      const { replayCommand } = await import('./commands/replay.js');
      const result = await replayCommand({ pack: p[0]!, ...(p[1] ? { check: p[1] } : {}) });
      out(result.text);
      return result.exitCode;
    },
  },
  'prices refresh': {
    usage: `compline prices refresh [--out FILE] [--regions LIST] [--endpoint URL]

Fetches the price sheet's SKUs again from the Azure Retail Prices API into a new dated sheet.

  --out FILE       where the sheet goes (default: compline-prices.json); written whole or not at all
  --regions LIST   comma-separated ARM regions (default: the bundled sheet's eleven regions)
  --endpoint URL   the API (default: https://prices.azure.com/api/retail/prices)

Point finops.prices in compline.yaml, or compline gate --prices, at the file to use it. A failure (network,
HTTP error, throttling that lasts, a region without prices) is one line and exit 2; the file is then untouched.`,
    options: {
      out: { type: 'string', default: 'compline-prices.json' },
      regions: { type: 'string' },
      endpoint: { type: 'string' },
    },
    positionals: [0, 0],
    async run(v) {
      const { pricesRefresh } = await import('./commands/prices.js');
      const { text } = await pricesRefresh({
        out: String(v.out),
        ...(v.regions ? { regions: String(v.regions) } : {}),
        ...(v.endpoint ? { endpoint: String(v.endpoint) } : {}),
      });
      out(text);
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
  .map(([name, c]) => `  ${name.padEnd(17)} ${summary(c)}`)
  .join('\n')}

Options: --help (also after any command), --version
Exit codes: 0 ok, 1 findings at or above the threshold, 2 bad input or usage, 3 internal error,
4 (run) sources partial or failed (merge) a shard missing or partial (doctor) a source or output unusable,
5 (verify) intact but the signer is not trusted, 6 (run) written locally but not published to Blob Storage,
7 (gate) monthly cost delta over --budget-delta`;

function summary(command: Command): string {
  return command.usage.split('\n\n')[1]?.split('\n')[0] ?? '';
}

/** `checks` → its subcommands (`list`, `show`); empty for a command that stands alone. */
function subcommands(group: string): string[] {
  return Object.keys(COMMANDS)
    .filter((k) => k.startsWith(`${group} `))
    .map((k) => k.slice(group.length + 1));
}

function groupUsage(group: string): string {
  const lines = subcommands(group).map((sub) => {
    const command = COMMANDS[`${group} ${sub}`]!;
    return `  ${command.usage.split('\n')[0]}\n      ${summary(command)}`;
  });
  return `compline ${group} <${subcommands(group).join('|')}>\n\n${lines.join('\n')}\n\nEach takes --help for its options.`;
}

/** The command a command line names, and the arguments after it. */
function route(argv: string[]): { name: string; rest: string[] } | 'group-help' {
  const first = argv[0]!;
  const subs = subcommands(first);
  if (subs.length === 0) {
    if (COMMANDS[first]) return { name: first, rest: argv.slice(1) };
    if (first.startsWith('-')) {
      throw new ArgumentError(`unknown option ${first}${didYouMean(first.replace(/^-+/, ''), ['help', 'version'], '--')}`);
    }
    const names = new Set(Object.keys(COMMANDS).map((k) => k.split(' ')[0]!));
    throw new ArgumentError(`unknown command ${first}${didYouMean(first, names) || ' (see compline --help)'}`);
  }
  const sub = argv[1];
  if (sub === '--help' || sub === '-h') return 'group-help';
  if (sub === undefined)
    throw new ArgumentError(`expected a subcommand: ${subs.join(', ')} (see compline ${first} --help)`, first);
  if (!subs.includes(sub)) throw new ArgumentError(`unknown subcommand ${sub}${didYouMean(sub, subs)}`, first);
  return { name: `${first} ${sub}`, rest: argv.slice(2) };
}

/**
 * Options and positionals, or the first mistake in our words: Node's own messages name neither the nearest
 * option nor an empty value, and an empty value would otherwise read as the option not given at all.
 */
function parseCommandLine(name: string, command: Command, args: string[]) {
  const { options } = command;
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = options[t.name];
    if (!spec) throw new ArgumentError(`unknown option ${t.rawName}${didYouMean(t.name, Object.keys(options), '--')}`, name);
    if (spec.type !== 'string') continue;
    if (t.value === undefined || t.value === '' || (!t.inlineValue && t.value.startsWith('--'))) {
      throw new ArgumentError(`${t.rawName} needs a value`, name);
    }
    if (!t.inlineValue && t.value.startsWith('-') && t.value !== '-') {
      throw new ArgumentError(`${t.rawName} needs a value (write ${t.rawName}=${t.value} if ${t.value} is one)`, name);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ArgumentError((e as Error).message.split('\n')[0]!, name);
  }
  const [min, max] = command.positionals;
  const wanted = command.usage.split('\n')[0]!.match(/<[^>]+>/g) ?? [];
  const given = parsed.positionals;
  if (given.length < min) throw new ArgumentError(`missing ${wanted[given.length]} (see compline ${name} --help)`, name);
  if (given.length > max) throw new ArgumentError(`unexpected argument ${given[max]} (see compline ${name} --help)`, name);
  const empty = given.indexOf('');
  if (empty >= 0) throw new ArgumentError(`${wanted[empty]} is empty`, name);
  return { values: parsed.values as Record<string, unknown>, positionals: given };
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    out(TOOL_VERSION);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(GLOBAL_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const routed = route(argv);
  if (routed === 'group-help') {
    out(groupUsage(argv[0]!));
    return 0;
  }
  const { name, rest } = routed;
  const command = COMMANDS[name]!;
  if (rest.includes('--help') || rest.includes('-h')) {
    out(command.usage);
    return 0;
  }
  const { values, positionals } = parseCommandLine(name, command, rest);
  try {
    return await command.run(values, positionals);
  } catch (e) {
    if (e instanceof ArgumentError) e.command ??= name;
    throw e;
  }
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
    if (e instanceof ArgumentError) {
      process.stderr.write(`compline${e.command ? ` ${e.command}` : ''}: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
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
