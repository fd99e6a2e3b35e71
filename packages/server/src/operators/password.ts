import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Operator passwords, hashed with scrypt (RFC 7914), node's built-in memory-hard KDF: no
 * native package to build, nothing to install. N = 2^15, r = 8, p = 3 is one of the settings
 * OWASP's Password Storage Cheat Sheet gives as the minimum for scrypt (32 MiB of memory; the
 * work of N = 2^17 at p = 1, a quarter of its memory): about 0.23 s a hash on this machine
 * (docs/console.md). Each hash carries its own parameters (`scrypt$15$8$3$salt$hash`), so they
 * can be raised later: `needsRehash` says when a stored hash is below the current ones, and a
 * sign-in then stores the password again under them.
 */
export const SCRYPT = { logN: 15, r: 8, p: 3, keyLength: 32, saltLength: 32 } as const;

interface Parameters {
  logN: number;
  r: number;
  p: number;
}

/** A fresh salt and the hash of `password`, with the parameters that made it. */
export async function hashPassword(password: string, parameters: Parameters = SCRYPT): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  const key = await derive(password, salt, parameters, SCRYPT.keyLength);
  return ['scrypt', parameters.logN, parameters.r, parameters.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` is the one `stored` was made from; compared in constant time. A malformed hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when `stored` was made with weaker parameters than the current ones. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.logN < SCRYPT.logN || parsed.r < SCRYPT.r || parsed.p < SCRYPT.p;
}

/**
 * A hash no password matches, made once with the current parameters: a sign-in for an unknown
 * email is checked against it, so it costs what a known one costs and the answer's timing says
 * nothing about which emails are operators.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('hex'));
  return decoy;
}

function parse(stored: string): (Parameters & { salt: Buffer; key: Buffer }) | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 22 || r > 32 || p > 16) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 16 || key.length < 16) return undefined;
  return { logN, r, p, salt, key };
}

function derive(password: string, salt: Buffer, { logN, r, p }: Parameters, keyLength: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; node refuses above `maxmem` (32 MiB by default), so it is set to fit.
  const maxmem = 128 * N * r * p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}
