// FOCUS and EA/MCA cost exports from files: DuckDB reads each whole; header variants are taken, bad rows are refused
// and named by row and column, and a file with any refused row leaves its scope partial.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostFileSource } from '../src/collectors/cost/file-source.js';
import { Store } from '../src/store.js';
import { costRows, ingestCosts } from './support/cost-ingest.js';

let dir: string;
let store: Store;
let run = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compline-cost-'));
  store = await Store.open(':memory:');
});
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const VM =
  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-bank_alpha-prod/providers/Microsoft.Compute/virtualMachines/vm-1';

/** Writes files (name → content) into a fresh folder and ingests it; the run id and statuses come back. */
async function ingest(files: Record<string, string | Buffer>, currency?: string) {
  const runId = `run-${++run}`;
  const folder = join(dir, runId);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder);
  for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content);
  const statuses = await ingestCosts(new CostFileSource([runId], dir, currency), store, runId);
  return { runId, statuses };
}

const NO_MANIFEST = 'no export manifest lists this file: rows counted as read, not reconciled';

const FOCUS_12_HEADER =
  'BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ResourceId,ServiceName,SubAccountId,Tags,InvoiceId,x_ResourceGroupName,x_SkuMeterCategory';

describe('FOCUS exports', () => {
  it('reads a FOCUS 1.0 CSV with a BOM, lower-case names, x_ extras and absent optional columns as NULL', async () => {
    const csv =
      '\uFEFFbilledcost,effectivecost,billingcurrency,chargeperiodstart,chargeperiodend,chargecategory,resourceid,tags,x_Something\n' +
      `12.5,10.25,EUR,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,${VM},"{""CustomerID"":""bank_alpha""}",extra\n` +
      '0.000001,0,EUR,2026-11-01,2026-11-02,Usage,null,,\n';
    const { runId, statuses } = await ingest({ 'focus.csv': csv });
    expect(statuses).toEqual([
      { source: 'cost', scope: `file:${runId}/focus.csv`, status: 'ok', error: null, rows: 2, reconciliation: NO_MANIFEST },
    ]);
    const rows = await costRows(
      store,
      runId,
      "BilledCost, EffectiveCost, ListCost, BillingCurrency, strftime(ChargePeriodStart, '%Y-%m-%dT%H:%MZ') as start, ResourceId, Tags->>'CustomerID' as customer, x_ResourceGroupName, x_SourceFormat, x_SourceRow, tenant_id",
    );
    expect(rows).toEqual([
      {
        BilledCost: '12.500000',
        EffectiveCost: '10.250000',
        ListCost: null,
        BillingCurrency: 'EUR',
        start: '2026-11-01T00:00Z',
        ResourceId: VM,
        customer: 'bank_alpha',
        x_ResourceGroupName: 'rg-bank_alpha-prod',
        x_SourceFormat: 'focus-1.0',
        x_SourceRow: '1',
        tenant_id: null,
      },
      {
        BilledCost: '0.000001',
        EffectiveCost: '0.000000',
        ListCost: null,
        BillingCurrency: 'EUR',
        start: '2026-11-01T00:00Z',
        ResourceId: null,
        customer: null,
        x_ResourceGroupName: null,
        x_SourceFormat: 'focus-1.0',
        x_SourceRow: '2',
        tenant_id: null,
      },
    ]);
  });

  it('reads gzip CSV (FOCUS 1.2) and Parquet (FOCUS 1.3), and keeps a time offset', async () => {
    const csv = `${FOCUS_12_HEADER}\n3,3,,USD,2026-11-01T00:00:00+02:00,2026-11-02T00:00:00+02:00,Usage,,${VM},Virtual Machines,/subscriptions/1,,INV-1,rg-x,VM\n`;
    const parquetSource = join(dir, 'p13.csv');
    await writeFile(
      parquetSource,
      `BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ResourceId,ServiceProviderName\n7.5,7,USD,2026-11-03T00:00:00Z,2026-11-04T00:00:00Z,Usage,${VM},Microsoft\n`,
    );
    const parquet = join(dir, 'p13.parquet');
    await store.exec(
      `copy (select * replace (BilledCost::double as BilledCost, map {'CustomerID': 'bank_alpha'} as ResourceId) from read_csv('${parquetSource}', all_varchar = true)) to '${parquet}' (format parquet)`,
    );
    const { readFile } = await import('node:fs/promises');
    const { runId, statuses } = await ingest({ 'a.csv.gz': gzipSync(csv), 'b.parquet': await readFile(parquet) });
    expect(statuses.map((s) => [s.scope.split('/').pop(), s.status, s.rows])).toEqual([
      ['a.csv.gz', 'ok', 1],
      ['b.parquet', 'ok', 1],
    ]);
    const rows = await costRows(
      store,
      runId,
      "BilledCost, strftime(ChargePeriodStart, '%Y-%m-%dT%H:%MZ') as start, ResourceId, ProviderName, x_SourceFormat, x_SourceRow",
    );
    expect(rows).toEqual([
      {
        BilledCost: '3.000000',
        start: '2026-10-31T22:00Z',
        ResourceId: VM,
        ProviderName: null,
        x_SourceFormat: 'focus-1.2',
        x_SourceRow: '1',
      },
      {
        BilledCost: '7.500000',
        start: '2026-11-03T00:00Z',
        // A map column (Tags in some Parquet exports) arrives as its JSON text.
        ResourceId: '{"CustomerID":"bank_alpha"}',
        ProviderName: 'Microsoft',
        x_SourceFormat: 'focus-1.3',
        x_SourceRow: '1',
      },
    ]);
  });
});

describe('bad cost input', () => {
  const good = `1,1,,USD,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,,${VM},VM,/subscriptions/1,,INV,rg,x`;

  it('names the row and column of a NaN, loads the other rows, and leaves the file partial', async () => {
    const bad = good.replace(/^1,1/, 'NaN,1');
    const { runId, statuses } = await ingest({ 'nan.csv': [FOCUS_12_HEADER, good, good, bad, good, ''].join('\n') });
    expect(statuses).toEqual([
      {
        source: 'cost',
        scope: `file:${runId}/nan.csv`,
        status: 'partial',
        error: `${runId}/nan.csv: row 3, column BilledCost: not a number (NaN) (1 row refused, 3 loaded)`,
        rows: 3,
        reconciliation: NO_MANIFEST,
      },
    ]);
    expect((await costRows(store, runId, 'x_SourceRow')).map((r) => r.x_SourceRow)).toEqual(['1', '2', '4']);
  });

  it('counts a row with two bad numbers once, by its first column in FOCUS spelling, and keeps the lines after it', async () => {
    const header = FOCUS_12_HEADER.replace('BilledCost,EffectiveCost', 'billedcost,effectivecost');
    const bad = good.replace(/^1,1/, 'four,x');
    const { runId, statuses } = await ingest({ 'two.csv': [header, good, bad, good, bad, good, ''].join('\n') });
    expect(statuses[0]!.error).toBe(`${runId}/two.csv: row 2, column BilledCost: not a number (four) (2 rows refused, 3 loaded)`);
    expect((await costRows(store, runId, 'x_SourceRow')).map((r) => r.x_SourceRow)).toEqual(['1', '3', '5']);
  });

  it('refuses a negative cost outside credit, refund and adjustment rows', async () => {
    const usage = good.replace(/^1,1/, '-2,-2');
    const credit = good.replace(/^1,1/, '-5,-5').replace(',Usage,,', ',Credit,,');
    const refund = good.replace(/^1,1/, '-1,-1').replace(',Usage,,', ',Purchase,Correction,');
    const { runId, statuses } = await ingest({ 'neg.csv': [FOCUS_12_HEADER, credit, refund, usage, ''].join('\n') });
    expect(statuses[0]!.error).toBe(
      `${runId}/neg.csv: row 3, column BilledCost: negative (-2.000000) outside a credit, refund or adjustment row (1 row refused, 2 loaded)`,
    );
    expect((await costRows(store, runId, 'BilledCost')).map((r) => r.BilledCost)).toEqual(['-5.000000', '-1.000000']);
  });

  it('refuses rows in a second currency', async () => {
    const eur = good.replace(',USD,', ',EUR,');
    const { runId, statuses } = await ingest({ 'mixed.csv': [FOCUS_12_HEADER, good, eur, good, ''].join('\n') });
    expect(statuses[0]).toMatchObject({
      status: 'partial',
      error: `${runId}/mixed.csv: row 2, column BillingCurrency: EUR in a file billed in USD (1 row refused, 2 loaded)`,
      rows: 2,
    });
  });

  it('counts rows after a line with too many fields as the file does', async () => {
    const { runId, statuses } = await ingest({ 'wide.csv': [FOCUS_12_HEADER, good, `${good},surplus`, good, ''].join('\n') });
    expect(statuses[0]).toMatchObject({ status: 'partial', rows: 2 });
    expect(statuses[0]!.error).toMatch(new RegExp(`^${runId}/wide.csv: row 2, Expected Number of Columns: 15 Found: 16`));
    expect((await costRows(store, runId, 'x_SourceRow')).map((r) => r.x_SourceRow)).toEqual(['1', '3']);
  });

  it('refuses a line longer than 2 MB by its row and keeps the rows around it', async () => {
    const huge = good.replace(',INV,', `,${'x'.repeat(2_100_000)},`);
    const { runId, statuses } = await ingest({ 'long.csv': [FOCUS_12_HEADER, good, huge, good, ''].join('\n') });
    expect(statuses[0]).toMatchObject({ status: 'partial', rows: 2 });
    expect(statuses[0]!.error).toMatch(
      new RegExp(
        `^${runId}/long.csv: row 2, Maximum line size of 2000000 bytes exceeded\\. Actual Size:\\d+ bytes\\. \\(1 row refused, 2 loaded\\)$`,
      ),
    );
    expect((await costRows(store, runId, 'x_SourceRow')).map((r) => r.x_SourceRow)).toEqual(['1', '3']);
  });

  it('names a wrong delimiter, missing required columns, a header that is not a cost export, and loads nothing', async () => {
    const { runId, statuses } = await ingest({
      'semi.csv': `${FOCUS_12_HEADER.replaceAll(',', ';')}\n${good.replaceAll(',', ';')}\n`,
      'short.csv': 'BilledCost,BillingCurrency,ChargePeriodStart\n1,USD,2026-11-01\n',
      'other.csv': 'name,value\na,1\n',
    });
    expect(
      Object.fromEntries(
        statuses.map((s) => [s.scope.split('/').pop(), [s.status, s.error?.split(': ').slice(1).join(': '), s.rows]]),
      ),
    ).toEqual({
      'other.csv': [
        'partial',
        'row 0 (header): neither a FOCUS export (BilledCost, ChargePeriodStart) nor an EA/MCA cost export (Date, CostInBillingCurrency)',
        0,
      ],
      'semi.csv': ['partial', "row 0 (header): delimiter is ';', not ',' (cost exports are comma-separated)", 0],
      'short.csv': ['partial', 'row 0 (header): required columns EffectiveCost, ChargePeriodEnd, ChargeCategory missing', 0],
    });
    expect(await costRows(store, runId)).toEqual([]);
  });

  it('loads nothing from a truncated gzip', async () => {
    const whole = gzipSync([FOCUS_12_HEADER, ...Array.from({ length: 5000 }, () => good), ''].join('\n'));
    const { runId, statuses } = await ingest({ 'cut.csv.gz': whole.subarray(0, Math.floor(whole.length * 0.6)) });
    expect(statuses[0]).toMatchObject({ status: 'partial', rows: 0 });
    expect(statuses[0]!.error).toBe(`${runId}/cut.csv.gz: truncated or corrupt gzip (unexpected end of file), nothing loaded`);
    expect(await costRows(store, runId)).toEqual([]);
  });

  it('says a configured path that is missing or holds no export is failed', async () => {
    const runId = `run-${++run}`;
    const statuses = await ingestCosts(
      new CostFileSource(['nowhere', '.'], join(dir, 'empty-base'), undefined),
      store,
      runId,
    ).catch(() => null);
    expect(statuses?.[0]).toMatchObject({ scope: 'file:nowhere', status: 'failed', error: 'cannot read nowhere (ENOENT)' });
  });
});

describe('export manifests', () => {
  const row = `1,1,,USD,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,,${VM},VM,/subscriptions/1,,INV,rg,x`;
  const csv = (rows: number) => [FOCUS_12_HEADER, ...Array.from({ length: rows }, () => row), ''].join('\n');
  const manifest = (parts: Record<string, number>) =>
    JSON.stringify({
      manifestVersion: '2024-04-01',
      dataRowCount: Object.values(parts).reduce((a, b) => a + b, 0),
      exportConfig: { exportName: 'focus-daily', type: 'FocusCost', dataVersion: '1.0r2' },
      blobs: Object.entries(parts).map(([name, rows]) => ({
        blobName: `exports/focus-daily/20261101-20261130/run-1/${name}`,
        byteCount: 100,
        dataRowCount: rows,
      })),
    });

  it('holds each part to the manifest: equal is reconciled, a short part is partial, a listed part absent is failed', async () => {
    const { runId, statuses } = await ingest({
      'manifest.json': manifest({ 'part_0_0001.csv': 3, 'part_0_0002.csv': 3, 'part_0_0003.csv': 1 }),
      'part_0_0001.csv': csv(3),
      'part_0_0002.csv': csv(2),
    });
    const m = `${runId}/manifest.json`;
    expect(statuses).toEqual([
      {
        source: 'cost',
        scope: `file:${runId}/part_0_0003.csv`,
        status: 'failed',
        error: `part_0_0003.csv: listed in ${m} but not found`,
        rows: 0,
        reconciliation: `expected 1 rows by ${m}; the part is missing`,
      },
      {
        source: 'cost',
        scope: `file:${runId}/part_0_0001.csv`,
        status: 'ok',
        error: null,
        rows: 3,
        reconciliation: `3 rows = dataRowCount in ${m}`,
      },
      {
        source: 'cost',
        scope: `file:${runId}/part_0_0002.csv`,
        status: 'partial',
        error: `${runId}/part_0_0002.csv: 2 rows read, ${m} lists 3`,
        rows: 2,
        reconciliation: `2 rows read <> dataRowCount 3 in ${m}`,
      },
    ]);
  });

  it('a manifest that cannot be read is a failed scope; its folder’s files are read but not reconciled', async () => {
    for (const [text, why] of [
      ['{"blobs": [', 'not JSON'],
      ['{"blobs": []}', 'no blobs listed'],
      ['{"blobs": [{"blobName": "p.csv", "dataRowCount": "3"}]}', 'blobs[0] lacks blobName or a whole dataRowCount'],
    ] as const) {
      const { runId, statuses } = await ingest({ 'manifest.json': text, 'p.csv': csv(3) });
      expect(statuses).toEqual([
        {
          source: 'cost',
          scope: `file:${runId}/manifest.json`,
          status: 'failed',
          error: `${runId}/manifest.json: ${why}`,
          rows: 0,
        },
        { source: 'cost', scope: `file:${runId}/p.csv`, status: 'ok', error: null, rows: 3, reconciliation: NO_MANIFEST },
      ]);
    }
  });
});

describe('a load that fails after its insert', () => {
  it('leaves none of the file’s rows: the insert commits on its own, so the failure deletes them again', async () => {
    const runId = `run-${++run}`;
    const select = `select null::varchar as _problem, 'broken.csv' as x_SourceFile, 'USD' as BillingCurrency,
      12.5 as BilledCost, 10.0 as EffectiveCost from range(3)`;
    // The rejects table read after the insert does not exist: the numbering and counting transaction fails.
    await expect(
      store.loadCosts(runId, 'broken.csv', select, {
        rejects: { table: 'compline_no_such_rejects', reason: 'error_message' },
        numberRows: true,
      }),
    ).rejects.toThrow(/compline_no_such_rejects/);
    expect(await costRows(store, runId, 'x_SourceFile')).toEqual([]);
    // The same select loads when nothing fails after it: the rows were there to delete.
    const load = await store.loadCosts(runId, 'broken.csv', select, { rejects: null, numberRows: true });
    expect(load).toEqual({ rows: 3, refused: 0, problem: null });
    expect(await costRows(store, runId, 'x_SourceFile, x_SourceRow::integer as row')).toEqual([
      { x_SourceFile: 'broken.csv', row: 1 },
      { x_SourceFile: 'broken.csv', row: 2 },
      { x_SourceFile: 'broken.csv', row: 3 },
    ]);
  });
});
