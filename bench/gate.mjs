#!/usr/bin/env node
// npm run bench:gate — the gate's wall time and peak RSS on generated plans of 1k, 10k and 50k azurerm
// resources, beside the time `node` takes only to JSON.parse the same file. Goal at 10k: ratio ≤ 2, < 3 s.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generatePlan } from './plan-generator.mjs';

const sizes = (process.argv[2] ?? '1000,10000,50000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const dataDir = fileURLToPath(new URL('./.data/', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
mkdirSync(dataDir, { recursive: true });

/** Wall milliseconds and peak RSS (MiB) of one child process. */
function measure(args) {
  const argv = timeBin ? [timeBin, '-f', '%M', process.execPath, ...args] : [process.execPath, ...args];
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1024 ** 3 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').pop()) : Number.NaN;
  return { ms, rssMiB: rssKb / 1024, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `compline gate benchmark · ${cpus().length} × ${cpus()[0]?.model} · ${Math.round(totalmem() / 1024 ** 3)} GiB · node ${process.version} · median of ${runs}`,
);
console.log('resources  plan MB   JSON.parse s   gate s   ratio   gate peak RSS MiB   findings');
for (const size of sizes) {
  const file = `${dataDir}plan-${size}.json`;
  const { plan, resourceChanges } = generatePlan(size);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(plan));
  const mb = statSync(file).size / 1024 ** 2;
  const parse = [];
  const gate = [];
  let rss = 0;
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    parse.push(measure(['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`]).ms);
    const g = measure([cli, 'gate', file, '--format', 'json']);
    gate.push(g.ms);
    rss = Math.max(rss, g.rssMiB);
    findings = JSON.parse(g.stdout).findings.length;
  }
  const p = median(parse) / 1000;
  const g = median(gate) / 1000;
  console.log(
    `${String(resourceChanges).padStart(9)}  ${mb.toFixed(1).padStart(7)}  ${p.toFixed(2).padStart(13)}  ${g.toFixed(2).padStart(7)}  ${(g / p).toFixed(2).padStart(6)}  ${rss.toFixed(0).padStart(18)}  ${String(findings).padStart(9)}`,
  );
}
