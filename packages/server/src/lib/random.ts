import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/**
 * `size` bytes from the CSPRNG, drawn from a pool refilled 4 KiB at a time: one call into
 * OpenSSL per few hundred ids, keys or IVs instead of one each (a tenth of a sync sweep's CPU
 * went to those calls, measured). Each byte is handed out once, as a copy; Node keeps the same
 * kind of cache behind `crypto.randomInt`.
 */
export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size);
  if (used + size > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.from(pool.subarray(used, used + size));
  used += size;
  return bytes;
}
