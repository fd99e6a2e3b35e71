import { listEvents } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { paging, pathLink } from '../../http/paging.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(listEvents),
    handler: async (request) => {
      const { page, limit } = request.query;
      const { items, total } = await webhooks.events(request.partner!.id, { page, limit });
      return successV2('Events retrieved', items, { meta: paging(total, page, limit, pathLink('/v2/webhooks/events', {}, limit)) });
    },
  });
}
