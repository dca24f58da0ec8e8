// Runs the built CLI as a user would: a child process, its exit code, stdout and stderr.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `nobody`: who the CLI runs as, when the tests run as root, for a permission check to mean anything. */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

interface CliOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: Record<string, string>;
  unprivileged?: boolean;
}

const spawnOptions = (opts: CliOptions) => ({
  ...(opts.unprivileged && isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  cwd: opts.cwd ?? ROOT,
  env: { ...process.env, ...opts.env },
});

export function compline(args: string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    ...spawnOptions(opts),
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process: for a CLI that talks to a server the test itself runs. */
export function complineAsync(args: string[], opts: Omit<CliOptions, 'input'> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { ...spawnOptions(opts), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Whether a folder without write permission refuses the CLI: true unless the tests run as root on a machine where
 * the CLI cannot be started as an ordinary user (the checkout unreadable to it), where such tests are skipped.
 */
export function permissionsApply(): boolean {
  return process.platform !== 'win32' && (!isRoot || compline(['--version'], { unprivileged: true }).code === 0);
}
