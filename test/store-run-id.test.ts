// A run id given on the command line (`--run-id`) names one run in a store: a finished run is never begun again,
// and a run left `running` by a process that died is discarded and begun afresh (a shard's retry).
import { describe, expect, it } from 'vitest';
import { Store } from '../src/store.js';

const RUN = { runId: 'nightly-20261205', mode: 'nightly' as const, toolVersion: 'test', configSha256: null };

describe('Store.beginRun with a given run id', () => {
  it('refuses a run id the store already finished', async () => {
    const store = await Store.open(':memory:');
    try {
      await store.beginRun(RUN);
      await store.finishRun(RUN.runId, 'ok');
      await expect(store.beginRun(RUN)).rejects.toThrow(
        'run nightly-20261205 is already in the store (ok); a run id names one run',
      );
    } finally {
      store.close();
    }
  });

  it('starts again over a run a crash left running, without its rows', async () => {
    const store = await Store.open(':memory:');
    try {
      await store.beginRun(RUN);
      await store.recordSource(RUN.runId, {
        source: 'resource-graph',
        scope: 'all',
        status: 'ok',
        error: null,
        rows: 3,
        tenant_id: null,
      });
      await store.beginRun(RUN);
      expect(await store.read(`select status from runs`)).toEqual([{ status: 'running' }]);
      expect(await store.read(`select * from source_status`)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
