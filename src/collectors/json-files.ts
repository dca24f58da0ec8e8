// File sources replay JSON documents from the files and folders a config names, relative to the config file.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { jsonReason } from './json-reason.js';

/** One configured path's file, parsed, or why it could not be: `label` is the path relative to the config's folder. */
export type JsonDocument = { label: string; doc: unknown; problem?: undefined } | { label: string; problem: string };

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isDirectory() || e.name.endsWith('.json'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => filesUnder(join(path, e.name))),
  );
  return files.flat();
}

/**
 * Every file the paths name, and every *.json file in the folders they name (sorted, recursively), in order. A path
 * that cannot be read, or an empty folder (a misconfigured source, not an empty estate), is one problem under its
 * own name.
 */
export async function* jsonDocuments(paths: readonly string[], baseDir: string): AsyncIterable<JsonDocument> {
  for (const p of paths) {
    let files: string[];
    try {
      files = await filesUnder(resolve(baseDir, p));
    } catch (e) {
      yield { label: p, problem: `cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
      continue;
    }
    if (files.length === 0) yield { label: p, problem: `no .json files in ${p}` };
    for (const file of files) {
      const label = file.slice(baseDir.length + 1) || file;
      let text = '';
      let doc: unknown;
      try {
        text = await readFile(file, 'utf8');
        doc = JSON.parse(text);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const reason = code ? `cannot read (${code})` : jsonReason(e, text);
        yield { label, problem: code || reason.startsWith('not JSON') ? reason : `not JSON: ${reason}` };
        continue;
      }
      yield { label, doc };
    }
  }
}
