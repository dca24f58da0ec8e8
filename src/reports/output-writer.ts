// Every output goes through one writer per run: files land under a temporary name and appear together on commit.
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface OutputWriter {
  /** `tenant` is a tenant id or `_platform`; `name` a relative path inside that tenant's folder. */
  write(tenant: string, name: string, data: string | Uint8Array): Promise<void>;
  /** Publishes everything written; before this nothing is visible under the final name. */
  commit(): Promise<string>;
  abort(): Promise<void>;
}

/** `<dir>/<run>/<tenant>/...`, staged in `<dir>/.<run>.partial/` and renamed into place; never overwrites a published run. */
export async function localFolderWriter(dir: string, runId: string): Promise<OutputWriter> {
  const final = join(dir, runId);
  const staging = join(dir, `.${runId}.partial`);
  if (await exists(final)) throw new UsageError(`${final}: run already published; refusing to overwrite`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return {
    async write(tenant, name, data) {
      if (!/^[A-Za-z0-9_-]+$/.test(tenant) || name.split('/').some((p) => p === '..' || p === '')) {
        throw new Error(`refusing output path ${tenant}/${name}`);
      }
      const path = join(staging, tenant, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
    },
    async commit() {
      await rename(staging, final);
      return final;
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
