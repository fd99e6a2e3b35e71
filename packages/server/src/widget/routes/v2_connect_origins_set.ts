import { setOrigins } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/**
 * Sets the origins allowed to frame the widget. With a list, the widget page's
 * `frame-ancestors` names exactly these, and a `referrer` of another origin gets no widget.
 */
export function register(app: HttpApp, services: Services) {
  const { connect } = services;
  app.route({
    ...routeOf(setOrigins),
    handler: async (request) => successV2('Allowed origins updated', { origins: await connect.origins.set(request.partner!.id, request.body.origins) }),
  });
}
