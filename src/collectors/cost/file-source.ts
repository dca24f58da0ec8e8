// sources.cost mode file: every export under the configured files and folders, one scope per file.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Collector, CollectorEvent } from '../collector.js';

/** What a cost export is named: CSV, gzip CSV (as Cost Management writes them) or Parquet. */
export const EXPORT_NAME = /\.(csv|csv\.gz|gz|parquet)$/i;

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) files.push(...(await filesUnder(join(path, e.name))));
    else if (EXPORT_NAME.test(e.name)) files.push(join(path, e.name));
  }
  return files;
}

export class CostFileSource implements Collector {
  readonly source = 'cost';

  constructor(
    private readonly paths: readonly string[],
    private readonly baseDir: string,
    private readonly currency?: string,
  ) {}

  async *collect(): AsyncIterable<CollectorEvent> {
    for (const p of this.paths) {
      let files: string[];
      try {
        files = await filesUnder(resolve(this.baseDir, p));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        yield {
          kind: 'status',
          status: { source: this.source, scope: `file:${p}`, status: 'failed', error: `cannot read ${p} (${code})`, rows: 0 },
        };
        continue;
      }
      if (!files.length) {
        yield {
          kind: 'status',
          status: {
            source: this.source,
            scope: `file:${p}`,
            status: 'failed',
            error: `no cost exports (.csv, .csv.gz, .parquet) in ${p}`,
            rows: 0,
          },
        };
        continue;
      }
      for (const path of files)
        yield { kind: 'cost-export', file: { path, label: relative(this.baseDir, path) || p, currency: this.currency } };
    }
  }
}
