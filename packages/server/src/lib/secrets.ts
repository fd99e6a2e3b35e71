import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex. Enough for high-entropy random secrets (API keys, codes, tokens). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Equal-length constant-time comparison of two strings (hash both to fix the length). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
