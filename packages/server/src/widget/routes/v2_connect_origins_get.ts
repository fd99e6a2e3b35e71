import { getOrigins } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, services: Services) {
  const { connect } = services;
  app.route({
    ...routeOf(getOrigins),
    handler: async (request) => successV2('Request completed successfully', { origins: await connect.origins.of(request.partner!) }),
  });
}
