// Phase timings of one gate evaluation (bench aid): node bench/profile-gate.mjs <plan.json> [--json]
// (--json: passes keep reason and evidence, as when JSON output is asked for)
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const lap = (label, since) => console.error(`${label.padEnd(22)} ${(performance.now() - since).toFixed(0).padStart(6)} ms`);
const { readPlan, normalisePlan } = await import('../dist/collectors/terraform-plan/index.js');
const { Store } = await import('../dist/store.js');
const { evaluate } = await import('../dist/engine.js');
const { loadCatalogue } = await import('../dist/rules.js');
lap('imports', t0);
let t = performance.now();
const raw = await readPlan(process.argv[2]);
lap('read + parse', t);
t = performance.now();
const plan = normalisePlan(raw, 'x');
lap(`normalise (${plan.rows.length})`, t);
t = performance.now();
const catalogue = await loadCatalogue();
lap('catalogue', t);
t = performance.now();
const store = await Store.open(':memory:');
await store.beginRun({ runId: 'gate', mode: 'gate', toolVersion: 'x', configSha256: null });
lap('store open', t);
t = performance.now();
await store.appendResources('gate', plan.rows);
lap('append', t);
t = performance.now();
const perCheck = [];
const ev = await evaluate(store, catalogue.checks, {
  runId: 'gate',
  tenantIds: [],
  waivers: [],
  params: {},
  today: '2026-11-25',
  passDetail: process.argv.includes('--json'),
});
lap(`evaluate (${ev.findings.length})`, t);
for (const c of catalogue.checks.slice(0, 0)) perCheck.push(c);
t = performance.now();
for (const c of catalogue.checks) {
  const s = performance.now();
  await store.read(c.sql);
  perCheck.push([c.id, performance.now() - s]);
}
perCheck.sort((a, b) => b[1] - a[1]);
console.error(
  'slowest queries:',
  perCheck
    .slice(0, 8)
    .map(([id, ms]) => `${id} ${ms.toFixed(0)}ms`)
    .join(', '),
);
lap('total', t0);
