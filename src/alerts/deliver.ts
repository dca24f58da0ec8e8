// Sending one message: HTTP POST or SMTP, with bounded retries and backoff. Failures are returned, never thrown.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

export type RetryPolicy = Config['alerts']['retry'];

export interface Outcome {
  attempts: number;
  /** Null when delivered. */
  error: string | null;
}

/** Waits longer than this are not honoured: the next try comes sooner, or the message fails. */
const MAX_RETRY_AFTER_MS = 30_000;

/** A webhook URL from the environment: https, or http to this machine only (a local relay). */
export function webhookUrl(name: string, env: NodeJS.ProcessEnv): URL | string {
  const value = env[name];
  if (!value) return `environment variable ${name} is not set`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `environment variable ${name} does not hold a URL`;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
  return `environment variable ${name} holds a ${url.protocol} URL; webhooks go over https`;
}

/** The first line of an error and of its cause, with every secret value replaced. */
export function failureLine(e: unknown, secrets: readonly string[]): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause ? `: ${err.cause.code ?? err.cause.message?.split('\n')[0]}` : '';
  const line = `${err.message?.split('\n')[0] ?? String(e)}${cause}`;
  return secrets.filter((s) => s.length >= 4).reduce((text, s) => text.split(s).join('[redacted]'), line);
}

async function withRetries(
  retry: RetryPolicy,
  attempt: () => Promise<{ error: string | null; again: boolean; waitMs?: number }>,
): Promise<Outcome> {
  let error: string | null = null;
  for (let n = 1; n <= retry.attempts; n++) {
    const result = await attempt();
    if (result.error === null) return { attempts: n, error: null };
    error = result.error;
    if (!result.again || n === retry.attempts) return { attempts: n, error };
    const backoff = retry.backoff_ms * 2 ** (n - 1);
    await sleep(Math.min(result.waitMs ?? backoff, MAX_RETRY_AFTER_MS));
  }
  return { attempts: retry.attempts, error };
}

/** POSTs JSON; retries connection failures, timeouts, 408, 429 and 5xx, honouring Retry-After. */
export function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  retry: RetryPolicy,
  secrets: readonly string[],
): Promise<Outcome> {
  const hidden = [url.href, url.pathname, url.search, ...secrets];
  return withRetries(retry, async () => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(retry.timeout_seconds * 1000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { error: null, again: false };
      const after = Number(res.headers.get('retry-after'));
      return {
        error: `HTTP ${res.status}`,
        again: res.status === 408 || res.status === 429 || res.status >= 500,
        ...(Number.isFinite(after) && after >= 0 ? { waitMs: after * 1000 } : {}),
      };
    } catch (e) {
      return { error: failureLine(e, hidden), again: true };
    }
  });
}

export interface SmtpTransport {
  send(message: { to: string[]; subject: string; text: string }): Promise<Outcome>;
  close(): void;
}

/** An SMTP connection pool for the run's e-mail routes; credentials come from the environment. */
export async function smtpTransport(
  smtp: NonNullable<Config['alerts']['smtp']>,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  retry: RetryPolicy,
): Promise<SmtpTransport | string> {
  const user = smtp.username_env ? env[smtp.username_env] : undefined;
  const pass = smtp.password_env ? env[smtp.password_env] : undefined;
  if (smtp.username_env && !user) return `environment variable ${smtp.username_env} is not set`;
  if (smtp.password_env && !pass) return `environment variable ${smtp.password_env} is not set`;
  let ca: string | undefined;
  if (smtp.ca_file) {
    try {
      ca = await readFile(resolve(baseDir, smtp.ca_file), 'utf8');
    } catch (e) {
      return `alerts.smtp.ca_file: cannot read ${smtp.ca_file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && !smtp.allow_plaintext,
    ignoreTLS: smtp.allow_plaintext,
    ...(user && pass ? { auth: { user, pass } } : {}),
    ...(ca ? { tls: { ca } } : {}),
    connectionTimeout: retry.timeout_seconds * 1000,
    greetingTimeout: retry.timeout_seconds * 1000,
    socketTimeout: retry.timeout_seconds * 1000,
  });
  const secrets = [user, pass].filter((s): s is string => !!s);
  return {
    send: (message) =>
      withRetries(retry, async () => {
        try {
          await transport.sendMail({ from: smtp.from, ...message });
          return { error: null, again: false };
        } catch (e) {
          // 4xx replies are transient in SMTP, 5xx permanent; no reply at all is a connection problem.
          const code = (e as { responseCode?: number }).responseCode;
          return { error: failureLine(e, secrets), again: code === undefined || (code >= 400 && code < 500) };
        }
      }),
    close: () => transport.close(),
  };
}
