// k8s_quantity (src/checks/macros.sql): Kubernetes resource quantities as numbers of cores or bytes, in DuckDB.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sharedMacros } from '../src/rules.js';
import { Store } from '../src/store.js';
import { itReal, REAL_DIR } from './support/real-data.js';

let store: Store;
beforeAll(async () => {
  store = await Store.open(':memory:');
  await store.defineOnReaders(sharedMacros());
});
afterAll(() => store?.close());

/** Each quantity parsed by the macro, keyed by its text (a number is passed as JSON, as a YAML integer reaches a row). */
async function parsed(quantities: (string | number | null)[]): Promise<Map<string | number | null, number | null>> {
  const values = quantities.map((q) => (q === null ? 'null' : `'${JSON.stringify(q)}'::json`)).join(', ');
  const rows = await store.read<{ i: number; v: number | null }>(
    `select i::integer as i, k8s_quantity(q->>'$') as v from (select unnest([${values}]) as q, generate_subscripts([${values}], 1) as i)`,
  );
  return new Map(rows.map((r) => [quantities[r.i - 1]!, r.v]));
}

describe('k8s_quantity', () => {
  it('reads decimal, binary and exponent suffixes, and plain numbers, as base units', async () => {
    const v = await parsed([
      '2000m',
      '2',
      20,
      '1Gi',
      '500Mi',
      '1e3',
      '1.5G',
      '100m',
      '1Ki',
      '3E',
      '250u',
      '1E-2',
      '+1',
      '.5',
      0.25,
    ]);
    expect(Object.fromEntries(v)).toEqual({
      '2000m': 2,
      '2': 2,
      20: 20,
      '1Gi': 1073741824,
      '500Mi': 524288000,
      '1e3': 1000,
      '1.5G': 1.5e9,
      '100m': 0.1,
      '1Ki': 1024,
      '3E': 3e18,
      '250u': 0.00025,
      '1E-2': 0.01,
      '+1': 1,
      '.5': 0.5,
      0.25: 0.25,
    });
  });

  it('gives null for what is not a quantity: unknown or wrongly cased suffixes, spaces inside, an exponent without digits', async () => {
    const v = await parsed(['512MB', '1ki', '1K', '1 Gi', '1e', 'm', 'abc', '', '0x10', '1e3m', null]);
    expect([...v.values()]).toEqual(Array(11).fill(null));
  });
});

const METRICS = 'f_kubernetes/popeye_mx_pod_1.yaml';

describe('k8s_quantity on real PodMetrics', () => {
  itReal([METRICS], 'CPU usage written as 20 and as "2000m", memory as 20Mi', async () => {
    const doc = parse(readFileSync(REAL_DIR + METRICS, 'utf8')) as {
      items: { metadata: { name: string }; containers: { usage: { cpu: string | number; memory: string } }[] }[];
    };
    const usage = doc.items.map((i) => i.containers[0]!.usage);
    const v = await parsed([...usage.map((u) => u.cpu), ...usage.map((u) => u.memory)]);
    expect(usage.map((u) => v.get(u.cpu))).toEqual([20, 2, 2]);
    expect(usage.map((u) => v.get(u.memory))).toEqual([20971520, 20971520, 20971520]);
  });
});
