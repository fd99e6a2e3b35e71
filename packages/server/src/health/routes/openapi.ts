import type { HttpApp, Services } from '../../http/types.ts';

/** The OpenAPI 3.1 document, generated from the route schemas (nothing in it is hand-written). */
export function register(app: HttpApp, _services: Services) {
  app.get('/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, async () => app.swagger());
}
