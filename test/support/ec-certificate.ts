// A P-256 key, its public key and a self-signed certificate, made with openssl for a test that needs a signer or a CA.
import { execFileSync } from 'node:child_process';

export function ecCertificate(dir: string, name: string, subject: string): { key: string; publicKey: string; cert: string } {
  const key = `${dir}/${name}.key`;
  const cert = `${dir}/${name}.pem`;
  const publicKey = `${dir}/${name}-public.pem`;
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert].concat([
      '-subj',
      subject,
      '-days',
      '2',
    ]),
    { stdio: 'ignore' },
  );
  execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', publicKey], { stdio: 'ignore' });
  return { key, publicKey, cert };
}
