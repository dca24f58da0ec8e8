// Real Azurite (Blob only) started for a test file: in memory, on a free loopback port, with the well-known
// development account. `--skipApiVersionCheck`: current SDKs speak API versions Azurite does not list yet.
// With `oauth`, it speaks HTTPS with the test CA's server certificate (the one the test process and the CLI trust
// through NODE_EXTRA_CA_CERTS) and accepts bearer tokens (`--oauth basic`: issuer, audience and lifetime are checked,
// the signature is not), which is what Get User Delegation Key needs.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testTlsDir } from './azure-tls.js';

/** Azurite's development account: public, documented, the same on every machine. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const BIN = fileURLToPath(new URL('../../node_modules/azurite/dist/src/blob/main.js', import.meta.url));

export interface Azurite {
  /** The account's blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1 (https with `oauth`). */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startAzurite(opts: { oauth?: boolean } = {}): Promise<Azurite> {
  const port = await freePort();
  const tls = opts.oauth ? testTlsDir() : null;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
      '--disableTelemetry',
      ...(tls ? ['--oauth', 'basic', '--cert', join(tls, 'server.pem'), '--key', join(tls, 'server.key')] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in 20 s: ${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/successfully listen/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited ${code}: ${output}`));
    });
  });
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
