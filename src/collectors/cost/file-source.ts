// sources.cost mode file: every export under the configured files and folders, one scope per file, each held to the
// export run's manifest.json where one sits beside it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Collector, CollectorEvent } from '../collector.js';
import { type ExportManifest, expectedRows, MANIFEST_NAME, missingParts, parseManifest } from './export-manifest.js';

/** What a cost export is named: CSV, gzip CSV (as Cost Management writes them) or Parquet. */
export const EXPORT_NAME = /\.(csv|csv\.gz|gz|parquet)$/i;

/** Export files under a path, and the export manifests found in its folders (a lone file's own folder too). */
async function filesUnder(path: string, manifests: string[] = []): Promise<{ files: string[]; manifests: string[] }> {
  const info = await stat(path);
  if (!info.isDirectory()) {
    const beside = join(dirname(path), MANIFEST_NAME);
    if (
      await stat(beside).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      manifests.push(beside);
    return { files: [path], manifests };
  }
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) files.push(...(await filesUnder(join(path, e.name), manifests)).files);
    else if (EXPORT_NAME.test(e.name)) files.push(join(path, e.name));
    else if (e.name === MANIFEST_NAME) manifests.push(join(path, e.name));
  }
  return { files, manifests };
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
      let manifestFiles: string[];
      try {
        ({ files, manifests: manifestFiles } = await filesUnder(resolve(this.baseDir, p)));
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
      const label = (path: string) => relative(this.baseDir, path) || p;
      const manifests = new Map<string, ExportManifest>();
      for (const m of manifestFiles) {
        const parsed = parseManifest(await readFile(m, 'utf8'), label(m));
        if ('problem' in parsed) {
          // A manifest that cannot be read leaves its folder's completeness unknown.
          yield {
            kind: 'status',
            status: { source: this.source, scope: `file:${label(m)}`, status: 'failed', error: parsed.problem, rows: 0 },
          };
          continue;
        }
        manifests.set(dirname(m), parsed);
        // Missing parts matter only when a folder was given: one file named alone is read as that file.
        if (files.length > 1 || files[0] !== resolve(this.baseDir, p))
          for (const status of missingParts(
            parsed,
            files.filter((f) => dirname(f) === dirname(m)),
            (part) => `file:${label(join(dirname(m), part))}`,
          ))
            yield { kind: 'status', status };
      }
      for (const path of files)
        yield {
          kind: 'cost-export',
          file: {
            path,
            label: label(path),
            currency: this.currency,
            manifest: expectedRows(manifests.get(dirname(path)), path),
          },
        };
    }
  }
}
