// The generic webhook: the digest as JSON, signed so a receiver can prove it came from Compline and is fresh.
import { createHmac } from 'node:crypto';
import type { AlertDigest } from './alert-digest.js';

export const SIGNATURE_HEADER = 'x-compline-signature';
export const TIMESTAMP_HEADER = 'x-compline-timestamp';

/**
 * HMAC-SHA256 over `<timestamp>.<body>` with the route's key, hex, as `sha256=<hex>`: the timestamp inside the MAC
 * lets a receiver refuse replays (as Slack and Stripe do).
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookRequest(d: AlertDigest, secret: string, now: Date): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ schema: 'compline.alert/v1', ...d });
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { body, headers: { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature(secret, timestamp, body) } };
}
