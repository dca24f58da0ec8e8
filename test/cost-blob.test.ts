// Cost exports in a Blob container (as Cost Management's scheduled exports write them), on real Azurite: each blob is
// downloaded to a temporary file DuckDB reads, then removed; a missing container or key is a config error.
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostBlobSource } from '../src/collectors/cost/blob-source.js';
import { UsageError } from '../src/errors.js';
import { Store } from '../src/store.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './support/azurite.js';
import { costRows, ingestCosts } from './support/cost-ingest.js';

let azurite: Azurite;
let store: Store;
const ENV = { AZURITE_KEY };
const HEADER = 'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ResourceId';

beforeAll(async () => {
  azurite = await startAzurite();
  store = await Store.open(':memory:');
  const service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const container = service.getContainerClient('cost-exports');
  await container.create();
  const put = (name: string, body: string | Buffer) => container.getBlockBlobClient(name).uploadData(Buffer.from(body));
  await put(
    'focus/202611/part_0.csv.gz',
    gzipSync(
      `${HEADER}\n1.5,1.5,EUR,2026-11-01,2026-11-02,Usage,/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a\n`,
    ),
  );
  await put(
    'focus/202611/part_1.csv',
    `${HEADER}\n2.5,2.5,EUR,2026-11-02,2026-11-03,Usage,/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/b\nx,1,EUR,2026-11-02,2026-11-03,Usage,\n`,
  );
  // The export run's manifest, as Cost Management writes it: part_2 is listed but was never delivered.
  await put(
    'focus/202611/manifest.json',
    JSON.stringify({
      manifestVersion: '2024-04-01',
      byteCount: 512,
      blobCount: 3,
      dataRowCount: 5,
      exportConfig: { exportName: 'focus', type: 'FocusCost', dataVersion: '1.0r2', timeFrame: 'MonthToDate' },
      deliveryConfig: { partitionData: true, fileFormat: 'Csv', compressionMode: 'None' },
      runInfo: {
        executionType: 'Scheduled',
        runId: '5b8c7a0e',
        startDate: '2026-11-01T00:00:00',
        endDate: '2026-11-30T00:00:00',
      },
      blobs: [
        { blobName: 'cost-exports/focus/202611/part_0.csv.gz', byteCount: 128, dataRowCount: 1 },
        { blobName: 'cost-exports/focus/202611/part_1.csv', byteCount: 256, dataRowCount: 2 },
        { blobName: 'cost-exports/focus/202611/part_2.csv', byteCount: 128, dataRowCount: 2 },
      ],
    }),
  );
  await put('other/ignored.csv', 'a,b\n');
}, 30_000);
afterAll(async () => {
  store.close();
  await azurite?.stop();
});

const settings = (container = 'cost-exports', prefix = 'focus/') => ({
  mode: 'blob' as const,
  account_url: azurite.url,
  container,
  prefix,
  credential: { kind: 'account_key' as const, account_name: AZURITE_ACCOUNT, key_env: 'AZURITE_KEY' },
});

describe('cost exports from Blob Storage', () => {
  it('reads every export under the prefix, names each blob, holds each to the run manifest, and leaves no temporary file', async () => {
    const before = (await readdir(tmpdir())).filter((f) => f.startsWith('compline-cost-'));
    const src = new CostBlobSource(settings(), ENV, () => {
      throw new Error('no token credential for an account key');
    });
    await src.prepare();
    const statuses = await ingestCosts(src, store, 'blob');
    const manifest = 'cost-exports/focus/202611/manifest.json';
    expect(statuses).toEqual([
      {
        source: 'cost',
        scope: 'file:cost-exports/focus/202611/part_2.csv',
        status: 'failed',
        error: `part_2.csv: listed in ${manifest} but not found`,
        rows: 0,
        reconciliation: `expected 2 rows by ${manifest}; the part is missing`,
      },
      {
        source: 'cost',
        scope: 'file:cost-exports/focus/202611/part_0.csv.gz',
        status: 'ok',
        error: null,
        rows: 1,
        reconciliation: `1 rows = dataRowCount in ${manifest}`,
      },
      {
        source: 'cost',
        scope: 'file:cost-exports/focus/202611/part_1.csv',
        status: 'partial',
        error: 'cost-exports/focus/202611/part_1.csv: row 2, column BilledCost: not a number (x) (1 row refused, 1 loaded)',
        rows: 1,
        reconciliation: `not reconciled (file not read whole); ${manifest} lists 2 rows`,
      },
    ]);
    expect(await costRows(store, 'blob', 'BilledCost, x_SourceFile')).toEqual([
      { BilledCost: '1.500000', x_SourceFile: 'cost-exports/focus/202611/part_0.csv.gz' },
      { BilledCost: '2.500000', x_SourceFile: 'cost-exports/focus/202611/part_1.csv' },
    ]);
    expect((await readdir(tmpdir())).filter((f) => f.startsWith('compline-cost-'))).toEqual(before);
  });

  it('says a prefix with no export is failed, and refuses a missing container or key before collection', async () => {
    const empty = new CostBlobSource(settings('cost-exports', 'nothing/'), ENV, () => {
      throw new Error('unused');
    });
    expect(await ingestCosts(empty, store, 'blob-empty')).toEqual([
      {
        source: 'cost',
        scope: 'container:cost-exports/nothing/',
        status: 'failed',
        error: 'no cost exports (.csv, .csv.gz, .parquet) under cost-exports/nothing/',
        rows: 0,
      },
    ]);
    const missing = new CostBlobSource(settings('no-such'), ENV, () => {
      throw new Error('unused');
    });
    await expect(missing.prepare()).rejects.toThrow(
      new UsageError(`sources.cost.container: no container no-such at ${azurite.url}`),
    );
    const noKey = new CostBlobSource(settings(), {}, () => {
      throw new Error('unused');
    });
    await expect(noKey.prepare()).rejects.toThrow('sources.cost.credential.key_env: environment variable AZURITE_KEY is not set');
  });
});
