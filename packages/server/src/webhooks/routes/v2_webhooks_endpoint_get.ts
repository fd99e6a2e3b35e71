import { getEndpoint } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(getEndpoint),
    handler: async (request) => successV2('Webhook endpoint retrieved', (await webhooks.endpoint(request.partner!.id))!),
  });
}
