import { randomBytes, randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOWER_ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `length` characters drawn uniformly (no modulo bias) from `alphabet` by the CSPRNG. */
function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

// Entropy of each id is noted beside it; CONTRACT asks for at least 96 bits.

/** 24 lower-case hex chars (Mono's ObjectId form), 96 random bits. */
export const newObjectId = () => randomBytes(12).toString('hex');
/** `test_sk_…` / `live_sk_…`: 32 base62 chars, 190 bits. */
export const newSecretKey = (mode: 'test' | 'live') => `${mode}_sk_${randomString(BASE62, 32)}`;
export const newPublicKey = (mode: 'test' | 'live') => `${mode}_pk_${randomString(BASE62, 32)}`;
/** Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (192 bits). */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
/** `session_` + 24 base62 chars, 142 bits. */
export const newSessionId = () => `session_${randomString(BASE62, 24)}`;
/** `code_` + 24 lower-case alnum chars (Mono's v2 form), 124 bits. */
export const newCode = () => `code_${randomString(LOWER_ALNUM, 24)}`;
/** 20 mixed-case alnum chars (Mono's reauth token form), 119 bits. */
export const newReauthToken = () => randomString(BASE62, 20);
/** `evt_` + 24 base62 chars, 142 bits. */
export const newEventId = () => `evt_${randomString(BASE62, 24)}`;
/** Generic prefixed id for internal rows (vault records, claims). */
export const newId = (prefix: string) => `${prefix}_${randomString(BASE62, 24)}`;

/**
 * A prefixed id that sorts by creation time: 8 base62 characters of the millisecond clock,
 * then 17 random ones (101 bits). For rows written in bulk and in order (webhook deliveries
 * and attempts): each insert lands next to the previous one in the table and its indexes,
 * so a transaction of many rows writes a few pages rather than one page per row (measured
 * in docs/benchmarks.md). The creation time it shows is not a secret: the row says it too.
 */
export const newSortableId = (prefix: string, now = Date.now()) => `${prefix}_${base62(now, 8)}${randomString(BASE62, 17)}`;

function base62(value: number, width: number): string {
  let out = '';
  for (let rest = Math.floor(value); rest > 0; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out.padStart(width, '0');
}

/**
 * Request ids (`req_` + 24 hex): 48 random bits drawn once per process, then a counter, so a
 * request costs no call to the CSPRNG. Unique across instances; not a secret, only a label.
 */
export function requestIds(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let next = 0;
  return () => `req_${prefix}${(next++ % 2 ** 48).toString(16).padStart(12, '0')}`;
}
