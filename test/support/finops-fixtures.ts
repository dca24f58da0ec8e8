// A FinOps rule folder's fixtures.yaml: rows in (loaded into a real DuckDB store), recommendations out.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Store } from '../../src/store.js';
import { fixtureStore } from './fixture-store.js';

export interface ExpectedRow {
  status: 'recommend' | 'not-enough-data' | 'error';
  monthly_savings?: number | null;
  confidence?: string;
  proposed?: Record<string, unknown>;
  current?: Record<string, unknown>;
  reason?: string;
}

export interface RuleFixtures {
  /** The run's day the rule sees as getvariable('today'). */
  today: string;
  params?: Record<string, number | string | boolean>;
  tables: Record<string, Record<string, unknown>[]>;
  /** Every row the rule returns, by resource id: exactly these. */
  expect: Record<string, ExpectedRow>;
  /** Resource ids in the tables that must get no row (the rule's negative cases). */
  negative: string[];
  /** Cases the rule cannot have, with the reason: not_enough_data (it needs no samples), missing_price (no price). */
  not_applicable?: Partial<Record<'not_enough_data' | 'missing_price', string>>;
}

export function readRuleFixtures(dir: string): RuleFixtures {
  return parse(readFileSync(`${dir}fixtures.yaml`, 'utf8')) as RuleFixtures;
}

const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * A metrics row with `days: N` stands for N daily rows ending on `today` (or `last_day`), the same figures each day:
 * a fortnight of samples is one line.
 */
export function expandRows(tables: RuleFixtures['tables'], today: string): RuleFixtures['tables'] {
  const out: RuleFixtures['tables'] = {};
  for (const [table, rows] of Object.entries(tables)) {
    out[table] = rows.flatMap((row) => {
      if (table !== 'metrics' || typeof row.days !== 'number') return [row];
      const { days, last_day, ...rest } = row;
      const end = typeof last_day === 'string' ? last_day : today;
      return Array.from({ length: days as number }, (_, i) => ({ ...rest, day: addDays(end, -i) }));
    });
  }
  return out;
}

export async function ruleFixtureStore(f: RuleFixtures): Promise<Store> {
  return fixtureStore(expandRows(f.tables, f.today));
}
