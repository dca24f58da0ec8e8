#!/usr/bin/env node
// npm run bench:gate [-- SIZES [TEMPLATES]] — the gate's wall time and peak RSS on generated plans of
// 1k, 10k and 50k azurerm resources, beside the time `node` takes only to JSON.parse the same file.
// TEMPLATES (default platform,estate,real; real only when ../shared/real exists): see plan-generator.mjs.
// Goal at 10k: ratio ≤ 2 and under 3 s. Both are whole processes (node start-up included), as CI runs them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { estimatePlan, generatePlan, MAX_PLAN_BYTES, TEMPLATES } from './plan-generator.mjs';

const sizes = (process.argv[2] ?? '1000,10000,50000').split(',').map(Number);
// real only when ../shared/real is there; estate is the platform stack re-planned against an existing estate.
const templates = (process.argv[3] ?? 'platform,estate,real')
  .split(',')
  .filter((t) => t === 'platform' || t === 'estate' || (TEMPLATES[t] && existsSync(TEMPLATES[t])));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const dataDir = fileURLToPath(new URL('./.data/', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
mkdirSync(dataDir, { recursive: true });

/** Wall milliseconds and peak RSS (MiB, when /usr/bin/time is there) of one child process. */
function measure(args) {
  const argv = timeBin ? [timeBin, '-f', '%M', process.execPath, ...args] : [process.execPath, ...args];
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1024 ** 3 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = r.stderr.trim().split('\n');
  if (![0, 1].includes(r.status ?? -1)) throw new Error(`${args.join(' ')} exited ${r.status}: ${lines.slice(0, 3).join(' ')}`);
  return { ms, rssMiB: timeBin ? Number(lines.pop()) / 1024 : Number.NaN, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `compline gate benchmark · ${cpus().length} × ${cpus()[0]?.model} · ${Math.round(totalmem() / 1024 ** 3)} GiB · node ${process.version} · median of ${runs}`,
);
// What every gate run pays whatever the plan's size: node start-up, loading DuckDB, planning 60 check queries.
const fixture = fileURLToPath(new URL('../test/fixtures/plans/platform-azurerm4.plan.json', import.meta.url));
const fixed = median(Array.from({ length: Math.max(runs, 5) }, () => measure([cli, 'gate', fixture]).ms)) / 1000;
const nodeAlone = median(Array.from({ length: Math.max(runs, 5) }, () => measure(['-e', '0']).ms)) / 1000;
console.log(`fixed cost: gate on a 31-resource plan ${fixed.toFixed(2)} s (node alone ${nodeAlone.toFixed(2)} s)`);
console.log('template  resources  plan MB  JSON.parse s  gate s  ratio  gate peak RSS MiB  verdicts');
const goal = [];
for (const template of templates) {
  for (const size of sizes) {
    const file = `${dataDir}plan-${template === 'platform' ? '' : `${template}-`}${size}.json`;
    // V8 strings stop at ~512 MB: neither JSON.stringify here nor the gate's readFileSync could hold a bigger plan.
    // Sized from one instance: a cached plan is not generated again (50k estate resources are ~375 MB in memory).
    const { bytes, resourceChanges } = estimatePlan(size, template);
    const estimate = existsSync(file) ? statSync(file).size : bytes;
    if (estimate > MAX_PLAN_BYTES) {
      console.log(
        `${template.padEnd(8)}  ${String(size).padStart(9)}  skipped: the plan would be ~${Math.round(estimate / 1024 ** 2)} MB, over the ${MAX_PLAN_BYTES / 1024 ** 2} MB this bench writes and parses as one string`,
      );
      continue;
    }
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(generatePlan(size, template).plan));
    const mb = statSync(file).size / 1024 ** 2;
    const parse = [];
    const gate = [];
    let rss = 0;
    let verdicts = '';
    for (let i = 0; i < runs; i++) {
      parse.push(measure(['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`]).ms);
      const g = measure([cli, 'gate', file]);
      gate.push(g.ms);
      rss = Math.max(rss, g.rssMiB);
      // The text summary line: "✗ N blocking (fail-on high) · F fail · E error · U unknown · W waived · P pass".
      const counts = [...(g.stdout.match(/· (\d+) fail · (\d+) error · (\d+) unknown · (\d+) waived · (\d+) pass/) ?? [])].slice(
        1,
      );
      verdicts = String(counts.reduce((n, c) => n + Number(c), 0));
    }
    const p = median(parse) / 1000;
    const g = median(gate) / 1000;
    console.log(
      `${template.padEnd(8)}  ${String(resourceChanges).padStart(9)}  ${mb.toFixed(1).padStart(7)}  ${p.toFixed(2).padStart(12)}  ${g.toFixed(2).padStart(6)}  ${(g / p).toFixed(2).padStart(5)}  ${rss.toFixed(0).padStart(17)}  ${verdicts.padStart(8)}`,
    );
    if (size === 10000) {
      // Ratio ≤ 2 leaves 2 × parse − fixed cost for everything that grows with the plan.
      const budget = 2 * p - fixed;
      goal.push(
        `${template} ${g.toFixed(2)} s (${g < 3 ? 'met' : 'not met'}), ratio ${(g / p).toFixed(2)} (${g / p <= 2 ? 'met' : 'not met'}; ` +
          `it leaves ${budget > 0 ? `${((budget * 1e6) / resourceChanges).toFixed(0)} µs per resource, ${(((g - fixed) * 1e6) / resourceChanges).toFixed(0)} µs used` : 'nothing beyond the fixed cost'})`,
      );
    }
  }
}
if (goal.length) console.log(`goal at 10k, under 3 s and ratio ≤ 2: ${goal.join('; ')}`);
