// A store written by an earlier version (tenants without regions) opens, gains the column, and keeps its history.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { Store } from '../src/store.js';

it('a store whose tenants table predates regions gains the column on open; earlier rows read null', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'compline-upgrade-')), 'old.duckdb');
  const old = await DuckDBInstance.create(path);
  const c = await old.connect();
  // The tenants table as earlier versions created it.
  await c.run(`create table tenants (run_id varchar not null, tenant_id varchar, name varchar not null, tier varchar not null,
    frameworks varchar[] not null, environments varchar[] not null)`);
  await c.run(`insert into tenants values ('old-run', 'fintech_gamma', 'Fintech Gamma', 'premium', ['gdpr'], ['prod'])`);
  c.closeSync();
  old.closeSync();

  const store = await Store.open(path);
  try {
    await store.beginRun({ runId: 'new-run', mode: 'nightly', toolVersion: 'test', configSha256: null });
    await store.recordTenants('new-run', [
      {
        id: 'fintech_gamma',
        name: 'Fintech Gamma',
        tier: 'premium',
        frameworks: ['gdpr'],
        environments: ['prod'],
        regions: ['westeurope'],
      },
    ]);
    await store.scopeToRun('old-run');
    expect(await store.read('select tenant_id, regions from tenants')).toEqual([{ tenant_id: 'fintech_gamma', regions: null }]);
    await store.scopeToRun('new-run');
    expect(await store.read('select tenant_id, regions from tenants')).toEqual([
      { tenant_id: 'fintech_gamma', regions: ['westeurope'] },
    ]);
  } finally {
    store.close();
  }
  // Opening again changes nothing.
  const again = await Store.open(path);
  again.close();
});
