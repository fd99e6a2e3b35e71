import swaggerUi from '@fastify/swagger-ui';
import type { HttpApp } from './types.ts';

/**
 * What the API docs page may do. swagger-ui's page loads its scripts and styles from /docs/static
 * and fetches /docs/json; no inline script, nothing from elsewhere (its validator badge is off,
 * so the spec's URL is not sent to swagger.io). Inline styles are allowed: swagger-ui adds a
 * <style> element as it renders, and a style runs no code. The page takes a secret key in "Authorize", so it
 * may be framed only by Relink's own pages: a page elsewhere cannot lay a decoy over it.
 * (swagger-ui's OAuth2 redirect page needs an inline script; Relink uses no OAuth2.)
 */
export const DOCS_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  "object-src 'none'",
].join('; ');

/**
 * `/docs`: swagger-ui over /openapi.json. Its routes (the page, its assets, /docs/json) sit in a
 * scope of their own whose every answer carries the policy, X-Frame-Options for browsers that
 * predate frame-ancestors, nosniff, and no referrer (the page's URL may carry a fragment).
 */
export async function registerDocs(app: HttpApp) {
  await app.register(async (docs) => {
    docs.addHook('onRequest', async (_request, reply) => {
      reply.headers({
        'content-security-policy': DOCS_POLICY,
        'x-frame-options': 'SAMEORIGIN',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true }, validatorUrl: false });
  });
}
