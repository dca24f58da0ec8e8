#!/usr/bin/env node
// Writes the demo estate's utilisation (demo/estate/monitor), in the shape sources.monitor's file mode reads: the
// daily VM metrics of the 14 days to 2026-12-04 as the live collector computes them from hourly values (avg, max,
// nearest-rank p95 of the hourly maxima, min, samples), and Container Insights usage per container over the same window.
// The build VM idles, the batch VM is oversized, the jump host was only up a few hours (too few samples to judge);
// in the clusters some containers request far more than they use. Deterministic: run it again and nothing changes.
import { mkdirSync, writeFileSync } from 'node:fs';

const OUT = new URL('estate/monitor/', import.meta.url);
const DAYS = 14;
const LAST_DAY = Date.UTC(2026, 11, 4);
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** A small deterministic generator (mulberry32), so the files do not change between runs. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v, digits = 2) => Number(v.toFixed(digits));
const day = (i) => new Date(LAST_DAY - (DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10);

/** One day's row from `hours` hourly (average, maximum) pairs. */
function dailyRow(resource_id, metric, date, hourly, digits) {
  const maxima = hourly.map((h) => h.maximum).sort((a, b) => a - b);
  return {
    resource_id,
    metric,
    day: date,
    avg: round(hourly.reduce((s, h) => s + h.average, 0) / hourly.length, digits),
    max: round(maxima.at(-1), digits),
    p95: round(maxima[Math.ceil(0.95 * maxima.length) - 1], digits),
    min: round(Math.min(...hourly.map((h) => h.minimum)), digits),
    samples: hourly.length,
  };
}

/** Hourly values around `level`, bursting to `peak` times it, for `hours` hours a day. */
function series(rand, level, peak, hours = 24) {
  return Array.from({ length: hours }, () => {
    const average = level * (0.7 + 0.6 * rand());
    return { average, minimum: average * (0.5 + 0.5 * rand()), maximum: average * (1 + (peak - 1) * rand()) };
  });
}

const VM = (rg, name) =>
  `/subscriptions/${rg.startsWith('rg-credit') ? '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60' : '1f4c2a10-7b3e-4d0a-9c55-0a1b2c3d4e5f'}/resourcegroups/${rg}/providers/microsoft.compute/virtualmachines/${name}`;

/** Standard_D2s_v5 all three: 2 vCPU, 8 GiB. */
const vms = [
  // idle: CPU around 0.8 %, bursts under 3 %; a trickle of network; memory mostly free
  { id: VM('rg-bank_alpha-dev', 'vm-alpha-dev-build'), cpu: [0.8, 3], memFree: 6.9 * GIB, netOut: 2 * MIB, seed: 11 },
  // oversized: CPU around 9 %, p95 under 20 %; three quarters of its memory free
  { id: VM('rg-credit_union_beta-prod', 'vm-cub-prod-batch'), cpu: [9, 2], memFree: 6.1 * GIB, netOut: 90 * MIB, seed: 23 },
  // too few samples: started on the last day, up five hours
  { id: VM('rg-bank_alpha-prod', 'vm-alpha-prod-jump'), cpu: [4, 2], memFree: 5 * GIB, netOut: 10 * MIB, seed: 37, hours: 5, days: 1 },
];

const metrics = [];
for (const vm of vms) {
  const rand = random(vm.seed);
  for (let i = DAYS - (vm.days ?? DAYS); i < DAYS; i++) {
    const hours = vm.hours ?? 24;
    const cpu = series(rand, vm.cpu[0], vm.cpu[1], hours).map((h) => ({ ...h, maximum: Math.min(h.maximum, 100) }));
    // Available memory moves little around its level and never above the 8 GiB the size has.
    const mem = Array.from({ length: hours }, () => {
      const average = Math.min(vm.memFree * (0.97 + 0.06 * rand()), 7.8 * GIB);
      return { average, minimum: average * (1 - 0.04 * rand()), maximum: Math.min(average * (1 + 0.02 * rand()), 7.8 * GIB) };
    });
    const net = series(rand, vm.netOut, 3, hours);
    metrics.push(dailyRow(vm.id, 'Percentage CPU', day(i), cpu, 2));
    metrics.push(dailyRow(vm.id, 'Available Memory Bytes', day(i), mem, 0));
    metrics.push(dailyRow(vm.id, 'Network Out Total', day(i), net, 0));
  }
}

/** Container usage over the window: every minute for 14 days unless `hours` says the pod is younger. */
const usage = (cluster, namespace, pod, container, cpuP95, cpuAvg, memMaxMiB, memAvgMiB, hours = DAYS * 24) => ({
  cluster,
  namespace,
  pod,
  container,
  cpu_p95_mcores: cpuP95,
  cpu_avg_mcores: cpuAvg,
  mem_max_bytes: memMaxMiB * MIB,
  mem_avg_bytes: memAvgMiB * MIB,
  samples: Math.round(hours * 60),
  history_hours: round(hours - 1 / 60, 2),
  window_days: DAYS,
});

const k8s_usage = [
  // shared cluster: fintech gamma's risk engine requests 1 CPU and 2 GiB, uses an eighth
  usage('aks-shared-westus', 'gc-fintech-gamma-prod', 'risk-engine-b8fbb5c7f-c59vx', 'engine', 118, 74, 610, 540),
  // credit union beta: prod sized about right, dev requests ten times what it uses
  usage('aks-shared-westus', 'gc-credit-union-beta-prod', 'member-portal-mfb56bbf9-8f52k', 'portal', 212, 151, 431, 390),
  usage('aks-shared-westus', 'gc-credit-union-beta-dev', 'member-portal-7fb56bbf9-v8cfn', 'portal', 9, 5, 141, 120),
  usage('aks-shared-westus', 'gc-credit-union-beta-prod', 'debug-shell', 'shell', 1, 0.4, 6, 5, 30),
  usage('aks-shared-westus', 'kube-system', 'coredns-8bx2f546d-br476', 'coredns', 6, 3, 38, 31),
  // bank alpha prod: the API fits its requests, the tokenizer requests 500m and uses 60m
  usage('aks-bank-alpha-prod', 'payments', 'payments-api-682b4c47b-fgxb6', 'api', 196, 132, 301, 262),
  usage('aks-bank-alpha-prod', 'payments', 'payments-api-682b4c47b-sg7v4', 'api', 188, 127, 297, 259),
  usage('aks-bank-alpha-prod', 'payments', 'card-tokenizer-f2dfc7bmp-q8tq9', 'tokenizer', 61, 38, 180, 161),
  usage('aks-bank-alpha-prod', 'payments', 'card-tokenizer-f2dfc7bmp-q8tq9', 'log-shipper', 14, 9, 27, 22),
  // a reconcile Job's pod: two and a half hours of history, not enough to size it
  usage('aks-bank-alpha-prod', 'ledger', 'ledger-reconcile-29473560-wl2gg', 'reconcile', 410, 260, 700, 520, 2.5),
  usage('aks-bank-alpha-dev', 'payments-dev', 'payments-api-682b5c47b-qq2cd', 'api', 12, 6, 150, 133),
];

mkdirSync(OUT, { recursive: true });
writeFileSync(new URL('vm-metrics.json', OUT), `${JSON.stringify({ metrics }, null, 1)}\n`);
writeFileSync(new URL('container-usage.json', OUT), `${JSON.stringify({ k8s_usage }, null, 1)}\n`);
