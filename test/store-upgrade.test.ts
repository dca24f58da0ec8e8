// A store written by an earlier version (tenants without regions, resources without identity) opens, gains the
// columns, and keeps its history.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import type { Json } from '../src/model.js';
import { Store } from '../src/store.js';
import { resourceRow } from './support/fixture-store.js';

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

it('a store whose resources table predates identity gains the column on open; new rows keep none apart from not reported', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'compline-upgrade-')), 'old.duckdb');
  const old = await DuckDBInstance.create(path);
  const c = await old.connect();
  // The resources table as earlier versions created it.
  await c.run(`create table resources (run_id varchar not null, tenant_id varchar, id varchar not null, type varchar not null,
    name varchar, location varchar, subscription_id varchar, resource_group varchar, tags json, sku json, properties json,
    origin varchar not null, parent_id varchar, plan_address varchar, plan_actions varchar[], unknown_paths varchar[],
    secrets json)`);
  await c.run(
    `insert into resources (run_id, tenant_id, id, type, origin) values ('old-run', 't1', '/old-app', 'microsoft.web/sites', 'live')`,
  );
  c.closeSync();
  old.closeSync();

  const store = await Store.open(path);
  try {
    await store.beginRun({ runId: 'new-run', mode: 'nightly', toolVersion: 'test', configSha256: null });
    const row = (id: string, identity: Json) => ({ ...resourceRow({ id, type: 'microsoft.web/sites' }), identity });
    await store.appendResources('new-run', [
      row('/app-system', { type: 'SystemAssigned', principalId: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' }),
      row('/app-none', { type: 'None' }),
      row('/app-not-reported', null),
    ]);
    await store.scopeToRun('old-run');
    expect(await store.read('select id, identity from resources')).toEqual([{ id: '/old-app', identity: null }]);
    await store.scopeToRun('new-run');
    expect(await store.read("select id, identity->>'$.type' as type from resources order by id")).toEqual([
      { id: '/app-none', type: 'None' },
      { id: '/app-not-reported', type: null },
      { id: '/app-system', type: 'SystemAssigned' },
    ]);
  } finally {
    store.close();
  }
});
