// Runs once before the test workers start: Node reads NODE_EXTRA_CA_CERTS only at startup, so the test CA must be
// in the environment before any worker (or CLI child process) is forked.
import { join } from 'node:path';
import { makeTestTls, removeTestTls, TLS_DIR_ENV } from './azure-tls.js';

export default function setup(): () => void {
  const dir = makeTestTls();
  process.env[TLS_DIR_ENV] = dir;
  process.env.NODE_EXTRA_CA_CERTS = join(dir, 'ca.pem');
  return () => removeTestTls(dir);
}
