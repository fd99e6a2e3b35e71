import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretsEqual } from '../lib/secrets.ts';

/** The session cookie: its value is the session's secret (the database holds its SHA-256). */
export const SESSION_COOKIE = 'relink_console';
/** Before sign-in: a random value the sign-in and set-up forms' CSRF tokens are derived from. */
export const PRE_COOKIE = 'relink_console_pre';
export const CSRF_FIELD = '_csrf';

/**
 * Every console response's headers: nothing runs but this server's stylesheet (no script at
 * all), nothing may frame the console, forms post only here, no page is cached (`no-store`:
 * keys shown once must not sit in a cache), and no address (a set-up link's token) leaves for
 * another site in a Referer.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not `no-referrer`: under it browsers send `Origin: null` with a form, and the origin check needs the real one.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
} as const;

export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      const value = part.slice(at + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Sets (or, with null, clears) a console cookie: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), Path=/dashboard (no other route of this server receives it),
 * Secure when the console is reached over https (RELINK_PUBLIC_URL's scheme, or the request's).
 */
export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string | null, publicUrl: string | undefined) {
  const secure = request.protocol === 'https' || publicUrl?.startsWith('https:') === true;
  const parts = [`${name}=${value ?? ''}`, 'Path=/dashboard', 'HttpOnly', 'SameSite=Strict'];
  if (secure) parts.push('Secure');
  if (value === null) parts.push('Max-Age=0');
  // Fastify adds a Set-Cookie header to those already set rather than replacing them.
  reply.header('set-cookie', parts.join('; '));
}

export function newPreSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The CSRF token of forms shown to the holder of `secret` (the session's, or the pre-sign-in cookie's). */
export function csrfToken(secret: string): string {
  return createHmac('sha256', secret).update('relink console csrf').digest('base64url');
}

export function csrfMatches(secret: string | undefined, token: unknown): boolean {
  return secret !== undefined && typeof token === 'string' && secretsEqual(csrfToken(secret), token);
}

/**
 * Whether a POST comes from a console page by its browser's own word: `Sec-Fetch-Site`, when
 * sent, must be `same-origin`; `Origin`, when sent, must be this server's (as the browser
 * addressed it, or RELINK_PUBLIC_URL's); `Origin: null` (a privacy setting's) only with
 * `Sec-Fetch-Site: same-origin`. A browser that sends neither is left to the token.
 */
export function sameOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return site === 'same-origin';
  const own = new Set([`${request.protocol}://${request.host}`]);
  if (publicUrl) own.add(new URL(publicUrl).origin);
  return own.has(origin);
}
