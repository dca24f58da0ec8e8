// Kubernetes objects replayed from `kubectl get <kinds> -A -o yaml|json` output: one folder per cluster, named as the
// cluster, holding any number of *.yaml / *.yml / *.json files (a single object, a List or a <Kind>List each).
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { K8sObjectRow } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { jsonReason } from '../json-reason.js';
import { documentRows } from './object-row.js';

const OBJECT_FILE = /\.(ya?ml|json)$/i;
const SOURCE = 'kubernetes';

interface ClusterFolder {
  cluster: string;
  dir: string;
  files: string[];
}

/** A folder with object files is one cluster; a folder without any holds a folder per cluster. */
async function clusterFolders(dir: string): Promise<ClusterFolder[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files = entries.filter((e) => e.isFile() && OBJECT_FILE.test(e.name)).map((e) => join(dir, e.name));
  if (files.length) return [{ cluster: basename(dir), dir, files }];
  const folders = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const sub = join(dir, e.name);
        const inner = (await readdir(sub, { withFileTypes: true })).filter((f) => f.isFile() && OBJECT_FILE.test(f.name));
        return { cluster: e.name, dir: sub, files: inner.map((f) => join(sub, f.name)).sort() };
      }),
  );
  return folders;
}

/** The documents of a file, or why it holds none that can be read (never quoting the text: it may hold secrets). */
function documentsOf(file: string, text: string): { docs: unknown[]; problem: string | null } {
  if (file.toLowerCase().endsWith('.json')) {
    try {
      return { docs: [JSON.parse(text)], problem: null };
    } catch (e) {
      return { docs: [], problem: jsonReason(e, text) };
    }
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { prettyErrors: false, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const bad = docs.find((d) => d.errors.length > 0)?.errors[0];
  if (bad) {
    const pos = lineCounter.linePos(bad.pos[0]);
    return { docs: [], problem: `not YAML (${bad.code}${pos ? ` at line ${pos.line} column ${pos.col}` : ''})` };
  }
  return { docs: docs.map((d) => d.toJS()), problem: null };
}

/** A list the API would have continued (`metadata.continue`): the file holds its first pages only. */
const continued = (doc: unknown): boolean => {
  const meta = (doc as { metadata?: { continue?: unknown } } | null)?.metadata;
  return typeof meta?.continue === 'string' && meta.continue !== '';
};

export class KubernetesFileSource implements Collector {
  readonly source = SOURCE;
  constructor(
    private readonly paths: readonly string[],
    private readonly baseDir: string,
  ) {}

  async *collect(): AsyncIterable<CollectorEvent> {
    for (const p of this.paths) {
      let folders: ClusterFolder[];
      try {
        folders = await clusterFolders(resolve(this.baseDir, p));
      } catch (e) {
        yield status(`file:${p}`, 'failed', `cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 0);
        continue;
      }
      if (!folders.length) yield status(`file:${p}`, 'failed', `no cluster folders or object files in ${p}`, 0);
      for (const folder of folders) yield* this.cluster(folder);
    }
  }

  private async *cluster(folder: ClusterFolder): AsyncIterable<CollectorEvent> {
    const scope = `cluster:${folder.cluster}`;
    if (!folder.files.length) {
      yield status(scope, 'failed', `no .yaml or .json files in ${relative(this.baseDir, folder.dir) || folder.dir}`, 0);
      return;
    }
    const problems: string[] = [];
    let count = 0;
    for (const file of folder.files) {
      const label = relative(this.baseDir, file) || file;
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        problems.push(`${label}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        continue;
      }
      const { docs, problem } = documentsOf(file, text);
      if (problem) problems.push(`${label}: ${problem}`);
      if (docs.some(continued)) problems.push(`${label}: a list with a continue token (later pages not in the file)`);
      const rows: K8sObjectRow[] = docs.flatMap((d) => documentRows(folder.cluster, d)).map((r) => ({ ...r, tenant_id: null }));
      count += rows.length;
      if (rows.length) yield { kind: 'rows', table: 'k8s_objects', rows };
    }
    const state = problems.length === 0 ? 'ok' : count > 0 ? 'partial' : 'failed';
    yield status(scope, state, problems.length ? problems.join('; ') : null, count);
  }
}

function status(scope: string, state: 'ok' | 'partial' | 'failed', error: string | null, rows: number): CollectorEvent {
  return { kind: 'status', status: { source: SOURCE, scope, status: state, error, rows } };
}
