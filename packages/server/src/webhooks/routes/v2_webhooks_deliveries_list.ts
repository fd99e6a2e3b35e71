import { listDeliveries } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { paging, pathLink } from '../../http/paging.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(listDeliveries),
    handler: async (request) => {
      const { page, limit, status, event_id } = request.query;
      const { items, total } = await webhooks.deliveries(request.partner!.id, { status, eventId: event_id }, { page, limit });
      const meta = paging(total, page, limit, pathLink('/v2/webhooks/deliveries', { status, event_id }, limit));
      return successV2('Deliveries retrieved', items, { meta });
    },
  });
}
