// Where outputs go. Every path is checked before any work, so a mistake is one line naming the user's own path
// (exit 2) rather than an internal error half-way through; missing folders are created, as `mkdir -p` would.
// A set of files is written so that all of them appear or none does.
import { constants, type Stats } from 'node:fs';
import { access, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { LoadedConfig } from './config.js';
import { UsageError } from './errors.js';

const code = (e: unknown): string => (e as NodeJS.ErrnoException | undefined)?.code ?? 'error';

/** The path itself or its nearest ancestor that exists, spelled as the user spelled it; or why it cannot be reached. */
async function nearestExisting(path: string): Promise<{ path: string; stats: Stats } | string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return { path: p, stats: await stat(p) };
    } catch (e) {
      // ENOTDIR: a file stands where a folder should; the walk up finds it and says so.
      if ((code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR') || dirname(p) === p) {
        return code(e) === 'EACCES' ? `${p} cannot be reached (permission denied)` : `${p} cannot be reached (${code(e)})`;
      }
    }
  }
}

/** A folder must also be searchable (X) to create files in it; a file need only be writable. */
async function writableProblem(path: string, kind: 'folder' | 'file'): Promise<string | null> {
  try {
    await access(path, kind === 'folder' ? constants.W_OK | constants.X_OK : constants.W_OK);
    return null;
  } catch (e) {
    return code(e) === 'EROFS' ? `${path} is on a read-only file system` : `${path} is not writable`;
  }
}

/** Why files cannot be written in `path` (a folder that exists or can be created), or null. */
async function folderProblem(path: string): Promise<string | null> {
  const found = await nearestExisting(path);
  if (typeof found === 'string') return found;
  if (!found.stats.isDirectory()) return `${found.path} is not a folder`;
  const problem = await writableProblem(found.path, 'folder');
  if (problem && found.path !== path) return `cannot create ${path}: ${problem}`;
  return problem;
}

/**
 * Why `path` cannot be written as a file, or null. `inPlace`: the file is opened and written where it is
 * (a database) rather than replaced by a rename, so an existing one must itself be writable.
 */
async function fileProblem(path: string, inPlace: boolean): Promise<string | null> {
  const found = await nearestExisting(path);
  if (typeof found === 'string') return found;
  if (found.path === path) {
    if (found.stats.isDirectory()) return `${path} is a folder`;
    if (!found.stats.isFile()) return `${path} is not a regular file`;
    if (inPlace) {
      const problem = await writableProblem(path, 'file');
      if (problem) return problem;
    }
  }
  return folderProblem(dirname(path));
}

/** A folder the command will write into (`--out`, `--parquet`): it exists or can be created, and is writable. */
export async function checkOutputFolder(label: string, path: string): Promise<void> {
  const problem = await folderProblem(path);
  if (problem) throw new UsageError(`${label}: ${problem}`);
}

/** A file the command will write (`--output`, `--store`): not a folder, and its folder exists or can be created. */
export async function checkOutputFile(label: string, path: string, opts: { inPlace?: boolean } = {}): Promise<void> {
  const problem = await fileProblem(path, opts.inPlace ?? false);
  if (problem) throw new UsageError(`${label}: ${problem}`);
}

/** The path with every symbolic link in its existing part resolved: two spellings of one file compare equal. */
export async function canonicalPath(path: string): Promise<string> {
  const found = await nearestExisting(path);
  if (typeof found === 'string') return resolve(path);
  // A pipe (`<(terraform show -json tfplan)`, /dev/fd/63) links to no path; as written, it is itself.
  const real = await realpath(found.path).catch(() => resolve(found.path));
  return join(real, relative(resolve(found.path), resolve(path)));
}

export interface RunOutputPaths {
  config: string;
  out?: string;
  store?: string;
  parquet?: string;
}

/**
 * `compline run`'s pre-flight: the report folder, the store and the Parquet folder, from the options or the config
 * (`output.dir`, `output.store`, relative to the config file). Returns them resolved.
 */
export async function checkRunOutputs(
  opts: RunOutputPaths,
  loaded: Pick<LoadedConfig, 'config' | 'baseDir'>,
): Promise<{ out: string; store: string; parquet: string | null }> {
  const { config, baseDir } = loaded;
  const fromConfig = (key: string, value: string) => ({ label: `${opts.config}: output.${key}`, path: resolve(baseDir, value) });
  const out = opts.out ? { label: `--out ${opts.out}`, path: opts.out } : fromConfig('dir', config.output.dir);
  const store = opts.store ? { label: `--store ${opts.store}`, path: opts.store } : fromConfig('store', config.output.store);
  await checkOutputFolder(out.label, out.path);
  await checkOutputFile(store.label, store.path, { inPlace: true });
  if (opts.parquet) await checkOutputFolder(`--parquet ${opts.parquet}`, opts.parquet);
  return { out: resolve(out.path), store: resolve(store.path), parquet: opts.parquet ? resolve(opts.parquet) : null };
}

export interface OutputFile {
  /** How the user named it, for messages: `--output sarif=out/x.sarif`. */
  label: string;
  path: string;
  /** Rendered when its turn comes, so one large output at a time is held in memory. */
  render: () => string;
}

/**
 * Writes every file under a temporary name beside it, then renames them all into place. On any failure the
 * temporaries, the folders created for them and the files already renamed into place that did not exist before
 * are removed (a file that did exist keeps its new content), and the error names the user's path.
 */
export async function writeTogether(files: readonly OutputFile[]): Promise<void> {
  const staged: string[] = [];
  const created: string[] = [];
  const published: string[] = [];
  let current: OutputFile | undefined;
  try {
    for (const file of files) {
      current = file;
      const made = await mkdir(dirname(file.path), { recursive: true });
      if (made) created.push(made);
      const tmp = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.tmp`);
      staged.push(tmp);
      await writeFile(tmp, file.render());
    }
    for (const [i, file] of files.entries()) {
      current = file;
      const existed = await stat(file.path).then(
        () => true,
        () => false,
      );
      await rename(staged[i]!, file.path);
      if (!existed) published.push(file.path);
    }
  } catch (e) {
    await Promise.all([...staged, ...published].map((p) => rm(p, { force: true })));
    for (const folder of created.reverse()) await rm(folder, { recursive: true, force: true });
    if (!current) throw e;
    const problem = await fileProblem(current.path, false);
    throw new UsageError(`${current.label}: ${problem ?? `cannot write ${current.path} (${code(e)})`}`);
  }
}
