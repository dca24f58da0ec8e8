// npm run bench:collect [-- --resources N --subscriptions N --pods N --clusters N --concurrency N --latency-ms N --only SECTION]
// Live collection against local servers that play the real services, quotas included: one section per source,
// each printing what it collected, how fast, and how close it came to what the service's quota allows.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { kubernetesChild, kubernetesSection } from './collect-kubernetes.js';
import { resourceGraphChild, resourceGraphSection } from './collect-resource-graph.js';

export interface BenchFlags {
  resources: number;
  subscriptions: number;
  pods: number;
  clusters: number;
  concurrency: number;
  latencyMs: number;
}

/**
 * A source's part of the benchmark: it runs, prints its lines, and says whether it met its goal. Its collecting side
 * runs in a child process (`collect.js --child <name> <params>`), which trusts the local servers' CA from start-up.
 */
export interface Section {
  name: string;
  run(flags: BenchFlags): Promise<boolean>;
  child(params: unknown): Promise<void>;
}

const SECTIONS: readonly Section[] = [
  { name: 'resource-graph', run: resourceGraphSection, child: resourceGraphChild },
  { name: 'kubernetes', run: kubernetesSection, child: kubernetesChild },
];

function machine(): string {
  const os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
  const date = execFileSync('date', ['-u', '+%Y-%m-%d %H:%M UTC'], { encoding: 'utf8' }).trim();
  return `${cpus().length} × ${cpus()[0]?.model.trim()} · ${Math.round(totalmem() / 1024 ** 3)} GiB · ${os} · node ${process.version} · ${date}`;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const section = SECTIONS.find((s) => s.name === process.argv[3]);
    return section?.child(JSON.parse(process.argv[4] ?? '{}'));
  }
  const { values } = parseArgs({
    options: {
      resources: { type: 'string', default: '100000' },
      subscriptions: { type: 'string', default: '200' },
      pods: { type: 'string', default: '50000' },
      clusters: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '4' },
      'latency-ms': { type: 'string', default: '0' },
      only: { type: 'string' },
    },
  });
  const flags: BenchFlags = {
    resources: Number(values.resources),
    subscriptions: Number(values.subscriptions),
    pods: Number(values.pods),
    clusters: Number(values.clusters),
    concurrency: Number(values.concurrency),
    latencyMs: Number(values['latency-ms']),
  };
  for (const [name, n] of Object.entries(flags))
    if (!Number.isInteger(n) || n < 0 || (name !== 'latencyMs' && n === 0)) throw new Error(`--${name}: expected a whole number`);
  const sections = SECTIONS.filter((s) => !values.only || s.name === values.only);
  if (!sections.length) throw new Error(`--only: expected one of ${SECTIONS.map((s) => s.name).join(', ')}`);
  console.log(`compline collection benchmark · ${machine()}`);
  let met = true;
  for (const section of sections) met = (await section.run(flags)) && met;
  process.exitCode = met ? 0 : 1;
}

main().catch((e: Error) => {
  console.error(`bench:collect: ${e.message}`);
  process.exitCode = 2;
});
