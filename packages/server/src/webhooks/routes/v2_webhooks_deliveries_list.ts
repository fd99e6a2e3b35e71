import { DELIVERY_STATUSES, Paging, V2Envelope, V2Failure, WebhookDelivery } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { PageQuery, paging, pathLink } from '../../http/paging.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.get('/v2/webhooks/deliveries', {
    schema: {
      summary: 'List webhook deliveries with every attempt, newest first',
      tags: ['Webhooks'],
      querystring: Type.Object({
        ...PageQuery,
        status: Type.Optional(Type.Enum([...DELIVERY_STATUSES])),
        event_id: Type.Optional(Type.String({ maxLength: 64 })),
      }),
      response: { 200: V2Envelope(Type.Array(WebhookDelivery), { meta: Paging }), '4xx': V2Failure },
    },
    handler: async (request) => {
      const { page, limit, status, event_id } = request.query;
      const { items, total } = await webhooks.deliveries(request.partner!.id, { status, eventId: event_id }, { page, limit });
      const meta = paging(total, page, limit, pathLink('/v2/webhooks/deliveries', { status, event_id }, limit));
      return successV2('Deliveries retrieved', items, { meta });
    },
  });
}
