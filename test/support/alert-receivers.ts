// Where alerts land in tests: an HTTPS endpoint that records every POST and answers from a script, and a real SMTP
// server (smtp-server) on loopback that requires STARTTLS and a login.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { testTlsDir } from './azure-tls.js';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface WebhookReceiver {
  url(path: string): string;
  received: Received[];
  /** Statuses to answer, in order, per path; 200 once a path's script is used up. */
  script(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

export async function webhookReceiver(): Promise<WebhookReceiver> {
  const tls = testTlsDir();
  const received: Received[] = [];
  const scripts = new Map<string, number[]>();
  const server = createServer(
    { key: readFileSync(join(tls, 'server.key')), cert: readFileSync(join(tls, 'server.pem')) },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        const path = req.url ?? '/';
        received.push({ path, headers: req.headers, body });
        const status = scripts.get(path)?.shift() ?? 200;
        res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end(status === 200 ? '1' : 'no');
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    received,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The message body, quoted-printable decoded. */
  text: string;
}

const quotedPrintable = (s: string) =>
  Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

export interface MailReceiver {
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}

/** Accepts only `user` / `password` after STARTTLS. */
export async function mailReceiver(user: string, password: string): Promise<MailReceiver> {
  const tls = testTlsDir();
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: readFileSync(join(tls, 'server.key')),
    cert: readFileSync(join(tls, 'server.pem')),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, session, callback) {
      if (!session.secure) return callback(new Error('STARTTLS first'));
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error('invalid login'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8').on('data', (d: string) => (raw += d));
      stream.on('end', () => {
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
          text: quotedPrintable(
            raw
              .split(/\r\n\r\n/)
              .slice(1)
              .join('\r\n\r\n'),
          ),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
