// A throwaway certificate authority and a server certificate for 127.0.0.1, made with the openssl CLI. Azure SDK
// clients send bearer tokens only over TLS, so test servers that play Azure speak HTTPS with these.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment variable naming the folder that holds ca.pem, server.pem and server.key. */
export const TLS_DIR_ENV = 'COMPLINE_TEST_TLS_DIR';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    throw new Error(
      err.code === 'ENOENT'
        ? 'openssl is not installed: the Azure test servers need it for their certificates (apt-get install openssl)'
        : `openssl ${args[0]} failed: ${err.stderr?.toString().trim()}`,
    );
  }
}

/** Creates the CA and server certificate in a new folder and returns it. */
export function makeTestTls(): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=compline test CA'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem'].concat([
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ]),
    dir,
  );
  // CLI child processes may run as an unprivileged user (permission tests): the CA certificate is public.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'ca.pem'), 0o644);
  return dir;
}

/** The folder the global setup made; fails with a clear line when a test runs without it. */
export function testTlsDir(): string {
  const dir = process.env[TLS_DIR_ENV];
  if (!dir || !existsSync(join(dir, 'server.pem')))
    throw new Error(`${TLS_DIR_ENV} is not set: run the tests through vitest (its globalSetup makes the certificates)`);
  return dir;
}

export function removeTestTls(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
