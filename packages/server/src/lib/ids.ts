import { secureRandomBytes } from './random.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOWER_ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `length` characters drawn uniformly from `alphabet` by the CSPRNG: one call for the bytes,
 * and a byte at or above the largest multiple of the alphabet's size is drawn again (no
 * modulo bias).
 */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of secureRandomBytes(length + 8)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * The time in milliseconds as 7 base62 characters, which sort as the numbers do until 2081.
 * Ids that start with it are time-ordered (as unkey's `newId`): rows written together land
 * on the same index pages instead of one random page each, which is most of what an insert
 * costs SQLite once a table outgrows its cache (docs/benchmarks.md, the sync sweep).
 */
function timePrefix(ms = Date.now()): string {
  let out = '';
  for (let i = 0; i < 7; i++, ms = Math.floor(ms / 62)) out = BASE62[ms % 62] + out;
  return out;
}

// Entropy of each id is noted beside it; docs/contract.md asks for at least 96 bits.

/** 24 lower-case hex chars (Mono's ObjectId form), 96 random bits. */
export const newObjectId = () => secureRandomBytes(12).toString('hex');
/** `test_sk_…` / `live_sk_…`: 32 base62 chars, 190 bits. */
export const newSecretKey = (mode: 'test' | 'live') => `${mode}_sk_${randomString(BASE62, 32)}`;
export const newPublicKey = (mode: 'test' | 'live') => `${mode}_pk_${randomString(BASE62, 32)}`;
/** Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (192 bits). */
export const newWebhookSecret = () => `whsec_${secureRandomBytes(24).toString('base64')}`;
/** `session_` + 24 base62 chars, 142 bits. */
export const newSessionId = () => `session_${randomString(BASE62, 24)}`;
/** `code_` + 24 lower-case alnum chars (Mono's v2 form), 124 bits. */
export const newCode = () => `code_${randomString(LOWER_ALNUM, 24)}`;
/** 20 mixed-case alnum chars (Mono's reauth token form), 119 bits. */
export const newReauthToken = () => randomString(BASE62, 20);
/** A statement file's URL token: 43 base62 chars, 256 bits (as many as a SHA-256 of it keeps). */
export const newStatementToken = () => randomString(BASE62, 43);
/** `evt_` + 24 base62 chars: the time, then 17 random chars (101 bits). */
export const newEventId = () => `evt_${timePrefix()}${randomString(BASE62, 17)}`;
/** Generic prefixed id for internal rows (deliveries, vault records, attempts): as `newEventId`. */
export const newId = (prefix: string) => `${prefix}_${timePrefix()}${randomString(BASE62, 17)}`;

/**
 * Request ids (`req_` + 24 hex): 48 random bits drawn once per process, then a counter, so a
 * request costs no call to the CSPRNG. Unique across instances; not a secret, only a label.
 */
export function requestIds(): () => string {
  const prefix = secureRandomBytes(6).toString('hex');
  let next = 0;
  return () => `req_${prefix}${(next++ % 2 ** 48).toString(16).padStart(12, '0')}`;
}
