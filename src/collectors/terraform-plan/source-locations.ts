// Plan addresses → the .tf file and line of their `resource` block, as Checkov's plan enrichment does: the root
// module's folder, then each module call whose source is a local path (./ or ../), nested. Instances of one block
// (count, for_each) share its location. Registry and git modules have no folder here: their resources get none.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseResourceAddress } from './collect-resources.js';
import { resourceBlocks } from './terraform-blocks.js';

export interface SourceLocation {
  /** Absolute path of the .tf file. */
  file: string;
  line: number;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Module call sources from a plan's `configuration`, keyed by module path (`net`, `net.subnets`; names, no keys). */
export function moduleSources(configuration: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (mod: unknown, path: string) => {
    if (!isObj(mod) || !isObj(mod.module_calls)) return;
    for (const [name, call] of Object.entries(mod.module_calls)) {
      if (!isObj(call)) continue;
      const p = path ? `${path}.${name}` : name;
      if (typeof call.source === 'string') out.set(p, call.source);
      walk(call.module, p);
    }
  };
  if (isObj(configuration)) walk(configuration.root_module, '');
  return out;
}

/** The nearest folder at or above `dir` holding `.git` (a repository root), or null. */
export function repositoryRoot(dir: string): string | null {
  let at = resolve(dir);
  for (;;) {
    if (existsSync(join(at, '.git'))) return at;
    const up = dirname(at);
    if (up === at) return null;
    at = up;
  }
}

const tfFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.tf'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
};

/**
 * The root module's folder by default: the plan's folder, or the first folder above it (up to the repository root)
 * holding .tf files; the plan's folder when none does.
 */
export function defaultModuleDir(planDir: string): string {
  const stop = repositoryRoot(planDir);
  // Outside a repository only the plan's own folder is looked at.
  if (!stop) return resolve(planDir);
  let at = resolve(planDir);
  for (;;) {
    if (tfFiles(at).length > 0) return at;
    const up = dirname(at);
    if (at === stop || up === at) return resolve(planDir);
    at = up;
  }
}

const isLocalSource = (source: string) => source.startsWith('./') || source.startsWith('../');

/** Locations of the given plan addresses; an address whose block is not found is absent from the map. */
export function locateResources(
  rootDir: string,
  sources: ReadonlyMap<string, string>,
  addresses: Iterable<string>,
): Map<string, SourceLocation> {
  const dirs = new Map<string, string | null>([['', resolve(rootDir)]]);
  const dirOf = (path: string): string | null => {
    const known = dirs.get(path);
    if (known !== undefined) return known;
    const cut = path.lastIndexOf('.');
    const parent = dirOf(cut < 0 ? '' : path.slice(0, cut));
    const source = sources.get(path);
    const dir = parent && source && isLocalSource(source) ? resolve(parent, source) : null;
    dirs.set(path, dir && isFolder(dir) ? dir : null);
    return dirs.get(path) ?? null;
  };
  const blocks = new Map<string, Map<string, SourceLocation>>();
  const blocksIn = (dir: string) => {
    let found = blocks.get(dir);
    if (!found) {
      found = new Map();
      for (const name of tfFiles(dir)) {
        const file = join(dir, name);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          continue;
        }
        // The first definition wins; Terraform itself refuses a duplicate.
        for (const b of resourceBlocks(text))
          if (!found.has(`${b.type}.${b.name}`)) found.set(`${b.type}.${b.name}`, { file, line: b.line });
      }
      blocks.set(dir, found);
    }
    return found;
  };

  const out = new Map<string, SourceLocation>();
  for (const address of addresses) {
    if (out.has(address)) continue;
    const parsed = parseResourceAddress(address);
    if (!parsed) continue;
    const dir = dirOf(parsed.modules.map((m) => m.name).join('.'));
    const hit = dir ? blocksIn(dir).get(`${parsed.type}.${parsed.name}`) : undefined;
    if (hit) out.set(address, hit);
  }
  return out;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
