import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, spec v1): HMAC-SHA256 over
 * `{id}.{timestamp}.{body}`, keyed with the base64-decoded part of the `whsec_…` secret, sent
 * as `v1,<base64>`. Several signatures are space-separated, which is how a secret rotation
 * stays zero-downtime. One implementation for every signed hop: the server's webhook deliveries,
 * the SDK's `verifyWebhook`, and the connector protocol's requests and answers (connector-kit).
 */
export function sign(secret: string, id: string, timestamp: number | string, body: string): string {
  return `v1,${digest(secret, id, timestamp, body).toString('base64')}`;
}

/** The `webhook-signature` header value: one signature per secret that currently signs. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number | string, body: string): string {
  return secrets.map((secret) => sign(secret, id, timestamp, body)).join(' ');
}

export interface SignedParts {
  id: string | undefined;
  timestamp: string | undefined;
  /** The `webhook-signature` header: space-separated `v1,<base64>` signatures. */
  signatures: string | undefined;
  body: string;
}

/**
 * Checks a signed message: any of its signatures may match any of `secrets`, each compared in
 * constant time, and the timestamp (epoch seconds) must be within `toleranceSeconds` of `now`,
 * so an old message cannot be replayed. Returns why it fails, or undefined when it passes.
 */
export function signatureProblem(
  parts: SignedParts,
  secrets: readonly string[],
  options: { toleranceSeconds?: number; now?: number } = {},
): string | undefined {
  const { id, timestamp, signatures, body } = parts;
  if (!id || !timestamp || !signatures) return 'the message is not signed (webhook-id, webhook-timestamp and webhook-signature are needed)';
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
    return 'webhook-timestamp is missing, malformed or outside the tolerance';
  }
  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const matches = secrets.some((secret) => {
    const expected = digest(secret, id, timestamp, body);
    return given.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
  });
  return matches ? undefined : 'no signature matches: wrong secret, or the body was changed';
}

function digest(secret: string, id: string, timestamp: number | string, body: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
}
