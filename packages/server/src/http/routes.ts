import type { HttpApp, Services } from './types.ts';
import * as health from '../operations/routes/health.ts';
import * as openapi from '../operations/routes/openapi.ts';
import * as v1Institutions from '../institutions/routes/v1_institutions_list.ts';
import * as v3Institutions from '../institutions/routes/v3_institutions_list.ts';

/** Every route Relink serves outside the partner API: health and the API description. */
export function registerOperationalRoutes(app: HttpApp, services: Services) {
  health.register(app, services);
  openapi.register(app, services);
}

/** Every partner API route. Each module is one operation (or one operation and its alias). */
export function registerApiRoutes(app: HttpApp, services: Services) {
  for (const route of [v1Institutions, v3Institutions]) route.register(app, services);
}
