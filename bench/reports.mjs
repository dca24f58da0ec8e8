#!/usr/bin/env node
// npm run bench:reports [-- TENANTS] — what the signed reports cost. Two measures:
// 1. A nightly run of TENANTS (default 200) tenants, each a copy of the demo's bank_alpha estate (110 resources in its
//    own subscription, PCI DSS and SOX), signed by the demo signer; then the signed reports timed alone over that
//    run's store and reports: every tenant's report.json and its signature, signed report.pdf and evidence pack
//    (publishReports, as `compline run` calls it). Goal ≤ 60 s.
// 2. One signed report.pdf of 20 pages (reportDocument + signPdf, in process). Goal < 300 ms.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tenants = Number(process.argv[2] ?? 200);
const root = fileURLToPath(new URL('../', import.meta.url));
const data = fileURLToPath(new URL('./.data/reports/', import.meta.url));
const { runCommand } = await import(join(root, 'dist/commands/run.js'));
const { reportDocument } = await import(join(root, 'dist/reports/pdf/report-pdf.js'));
const { signPdf } = await import(join(root, 'dist/evidence/pdf-signature.js'));
const { demoSigner } = await import(join(root, 'dist/evidence/signer.js'));
const { loadCatalogue, sharedMacros } = await import(join(root, 'dist/rules.js'));
const { publishReports } = await import(join(root, 'dist/reports/publish.js'));
const { localFolderWriter } = await import(join(root, 'dist/reports/output-writer.js'));
const { Store } = await import(join(root, 'dist/store.js'));

const SUB = '1f4c2a10-7b3e-4d0a-9c55-0a1b2c3d4e5f';
const demoEstate = join(root, 'demo', 'estate');

/** bank_alpha's subscription, renamed for tenant i: ids, names, tags and resource groups. */
function copyFor(text, i) {
  const id = `bank_${String(i).padStart(3, '0')}`;
  return text
    .replaceAll(SUB, `${SUB.slice(0, 24)}${i.toString(16).padStart(12, '0')}`)
    .replaceAll('bank_alpha', id)
    .replaceAll('Bank Alpha', `Bank ${i}`)
    .replaceAll('alpha', `b${i}`);
}

function writeEstate() {
  rmSync(data, { recursive: true, force: true });
  const estate = join(data, 'estate');
  mkdirSync(estate, { recursive: true });
  const page = readFileSync(join(demoEstate, `resource-graph-${SUB.slice(0, 8)}.json`), 'utf8');
  const children = readdirSync(join(demoEstate, `children-${SUB.slice(0, 8)}`)).map((f) => [
    f,
    readFileSync(join(demoEstate, `children-${SUB.slice(0, 8)}`, f), 'utf8'),
  ]);
  const lines = [];
  for (let i = 0; i < tenants; i++) {
    const id = `bank_${String(i).padStart(3, '0')}`;
    writeFileSync(join(estate, `resource-graph-${i}.json`), copyFor(page, i));
    mkdirSync(join(estate, `children-${i}`));
    for (const [f, text] of children) writeFileSync(join(estate, `children-${i}`, f), copyFor(text, i));
    lines.push(
      `  - { id: ${id}, name: Bank ${i}, tier: enterprise, frameworks: [pci-dss-4.0.1, sox-itgc], environments: [dev, staging, prod], regions: [eastus], subscriptions: [${SUB.slice(0, 24)}${i.toString(16).padStart(12, '0')}] }`,
    );
  }
  writeFileSync(
    join(data, 'compline.yaml'),
    `version: 1
tenants:
${lines.join('\n')}
mapping:
  tenant_tag: CustomerID
  resource_groups: ["rg-{tenant}-{env}"]
sources:
  resource_graph:
    mode: file
    paths: [estate]
signer: { demo: true }
output:
  dir: out
  store: store/compline.duckdb
`,
  );
}

const pageCount = (pdf) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `compline reports benchmark · ${cpus().length} × ${cpus()[0]?.model} · ${Math.round(totalmem() / 1024 ** 3)} GiB · node ${process.version} · ${new Date().toISOString().slice(0, 10)}`,
);
writeEstate();
let started = performance.now();
const run = await runCommand({ config: join(data, 'compline.yaml'), log: () => {} });
const runMs = performance.now() - started;
// The run made the demo signer's key beside the store; publishing again with it is timed alone.
const signer = await demoSigner(join(data, 'store', 'demo-signer'));
const { byId } = await loadCatalogue();
const store = await Store.open(join(data, 'store', 'compline.duckdb'));
await store.scopeToRun(run.runId);
const writer = await localFolderWriter(join(data, 'signed'), run.runId);
started = performance.now();
await publishReports({ store, writer, signer, reports: run.reports, checks: byId, params: {}, macros: sharedMacros() });
const reportsMs = performance.now() - started;
const outDir = await writer.commit();
store.close();
let pdfs = 0;
let packs = 0;
let pages = 0;
let pdfBytes = 0;
let packBytes = 0;
for (const t of readdirSync(outDir)) {
  for (const f of readdirSync(join(outDir, t))) {
    const size = statSync(join(outDir, t, f)).size;
    if (f === 'report.pdf') {
      pdfs++;
      pdfBytes += size;
      pages += pageCount(readFileSync(join(outDir, t, f)));
    } else if (f.endsWith('.zip')) {
      packs++;
      packBytes += size;
    }
  }
}
console.log(
  `whole signed run, ${tenants} tenants + platform, ${run.findings.length} findings: ${(runMs / 1000).toFixed(1)} s (collection, evaluation, signed reports and packs)`,
);
console.log(
  `signed reports: ${pdfs} PDFs (${pages} pages, ${(pdfBytes / 1024 ** 2).toFixed(1)} MiB) + ${packs} packs (${(packBytes / 1024 ** 2).toFixed(1)} MiB) in ${(reportsMs / 1000).toFixed(1)} s (${(reportsMs / pdfs).toFixed(0)} ms a tenant) · goal (200 tenants ≤ 60 s): ${tenants < 200 ? `not judged at ${tenants} tenants` : reportsMs <= 60_000 ? 'met' : 'NOT met'}`,
);

// One PDF of 20 pages: the first tenant's report with as many findings as fill 20 pages.
const full = JSON.parse(readFileSync(join(outDir, 'bank_000', 'report.json'), 'utf8'));
const render = async (report) =>
  signPdf(reportDocument({ report, checks: byId, trend: [], signer: { subject: signer.subject, demo: true } }), signer, {
    name: signer.subject,
    reason: 'bench',
    signingTime: new Date(),
  });
let lo = 0;
let hi = full.findings.length;
let report = full;
while (lo < hi) {
  const mid = Math.ceil((lo + hi) / 2);
  const candidate = { ...full, findings: full.findings.slice(0, mid) };
  if (pageCount(await render(candidate)) <= 20) lo = mid;
  else hi = mid - 1;
}
report = { ...full, findings: full.findings.slice(0, lo) };
const times = [];
let pdf;
for (let i = 0; i < 15; i++) {
  const started = performance.now();
  pdf = await render(report);
  times.push(performance.now() - started);
}
const ms = median(times);
console.log(
  `one signed report.pdf: ${pageCount(pdf)} pages, ${(pdf.length / 1024).toFixed(0)} KiB · median ${ms.toFixed(0)} ms of ${times.length} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}) · goal < 300 ms: ${ms < 300 ? 'met' : 'NOT met'}`,
);
