// Where the gate looks for the Terraform sources of a plan, and the .tf file and line of each finding's resource.
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { defaultModuleDir, locateResources, repositoryRoot } from '../collectors/terraform-plan/index.js';
import { UsageError } from '../errors.js';
import type { GateFinding, GateResult } from '../reports/gate/gate-result.js';

/** A path below `root` as a relative, forward-slashed path; null when it is not below it. */
function below(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * The root module's folder (--source-dir, else from the plan's folder up to the repository root; the working folder
 * for stdin and pipes) and the folder file paths are relative to: the repository root, else the module folder.
 */
export function gateSource(plan: string, sourceDir: string | undefined): { moduleDir: string; source: GateResult['source'] } {
  let moduleDir: string;
  if (sourceDir !== undefined) {
    let folder = false;
    try {
      folder = statSync(sourceDir).isDirectory();
    } catch {}
    if (!folder) throw new UsageError(`--source-dir ${sourceDir}: not a folder`);
    moduleDir = resolve(sourceDir);
  } else {
    const planFile = plan !== '-' && isFile(plan);
    moduleDir = defaultModuleDir(planFile ? dirname(resolve(plan)) : process.cwd());
  }
  const root = repositoryRoot(moduleDir) ?? moduleDir;
  const planPath = plan !== '-' && isFile(plan) ? resolve(plan) : null;
  return {
    moduleDir,
    source: {
      root,
      module_dir: below(root, moduleDir) ?? '',
      plan: planPath ? (below(root, planPath) ?? null) : null,
      plan_path: planPath,
    },
  };
}

/** Sets each finding's location (file relative to the source root) where its resource's block was found. */
export function locateFindings(
  findings: GateFinding[],
  moduleDir: string,
  root: string,
  moduleSources: ReadonlyMap<string, string>,
): void {
  const addresses = new Set<string>();
  for (const f of findings) if (f.address) addresses.add(f.address);
  const found = locateResources(moduleDir, moduleSources, addresses);
  const rel = new Map<string, string | null>();
  for (const f of findings) {
    const hit = f.address ? found.get(f.address) : undefined;
    let file = hit ? rel.get(hit.file) : undefined;
    if (hit && file === undefined) {
      file = below(root, hit.file);
      rel.set(hit.file, file);
    }
    f.location = hit && file ? { file, line: hit.line } : null;
  }
}
