// The check catalogue: rule folders under src/checks, served from a build-time snapshot while no file changed.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Framework, Requirement } from './frameworks.js';
import type { CheckMeta } from './model.js';

/** src/checks, from both src/ (tests) and dist/ (the built CLI): both sit one level under the package root. */
export const CHECKS_DIR = new URL('../src/checks/', import.meta.url);
/** Written by `npm run build`; ignored as soon as any rule file differs from what it was built from. */
const SNAPSHOT = new URL('./catalogue.snapshot.json', import.meta.url);

/**
 * Table macros shared by checks, defined on every connection before any check runs: the general ones, then the dated
 * Azure region table the residency checks read. Evidence packs carry them as one macros.sql.
 */
export const MACRO_FILES = [new URL('macros.sql', CHECKS_DIR), new URL('regions.sql', CHECKS_DIR)];
let macros: string | undefined;
export function sharedMacros(): string {
  macros ??= MACRO_FILES.map((f) => readFileSync(f, 'utf8')).join('\n');
  return macros;
}

export const CONTRACT_COLUMNS = ['resource_id', 'tenant_id', 'status', 'reason', 'evidence'] as const;

export interface Catalogue {
  checks: CheckMeta[];
  byId: Map<string, CheckMeta>;
  frameworks: Map<string, Framework>;
}

interface Snapshot {
  fingerprint: string;
  checks: CheckMeta[];
  frameworks: { id: string; title: string; requirements: Requirement[] }[];
}

/** Paths, sizes and modification times of every file under the checks folder. */
function fingerprint(dir: URL): string {
  const root = fileURLToPath(dir);
  const hash = createHash('sha256');
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = `${path}${entry.name}`;
      if (entry.isDirectory()) walk(`${full}/`);
      else {
        const st = statSync(full);
        hash.update(`${full.slice(root.length)}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(root);
  return hash.digest('hex');
}

function assemble(checks: CheckMeta[], frameworks: Snapshot['frameworks']): Catalogue {
  return {
    checks,
    byId: new Map(checks.map((c) => [c.id, c])),
    frameworks: new Map(frameworks.map((f) => [f.id, { ...f, byId: new Map(f.requirements.map((r) => [r.id, r])) }])),
  };
}

function readSnapshot(dir: URL): Catalogue | null {
  if (dir.href !== CHECKS_DIR.href) return null;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Snapshot;
  } catch {
    return null;
  }
  if (snapshot.fingerprint !== fingerprint(dir)) return null;
  const root = fileURLToPath(dir);
  return assemble(
    snapshot.checks.map((c) => ({ ...c, dir: root + c.dir })),
    snapshot.frameworks,
  );
}

/** Every check, validated: from the snapshot when it is current, else from the rule folders (slower: YAML and schema). */
export async function loadCatalogue(dir: URL = CHECKS_DIR): Promise<Catalogue> {
  const cached = readSnapshot(dir);
  if (cached) return cached;
  const { loadCatalogueFromSource } = await import('./rule-loader.js');
  return loadCatalogueFromSource(dir);
}

/** Build step: validates the rule folders and records them beside the compiled code. */
export async function writeCatalogueSnapshot(): Promise<number> {
  const { loadCatalogueFromSource } = await import('./rule-loader.js');
  const catalogue = loadCatalogueFromSource(CHECKS_DIR);
  const root = fileURLToPath(CHECKS_DIR);
  const snapshot: Snapshot = {
    fingerprint: fingerprint(CHECKS_DIR),
    checks: catalogue.checks.map((c) => ({ ...c, dir: c.dir.slice(root.length) })),
    frameworks: [...catalogue.frameworks.values()].map(({ id, title, requirements }) => ({ id, title, requirements })),
  };
  writeFileSync(SNAPSHOT, JSON.stringify(snapshot));
  return catalogue.checks.length;
}
