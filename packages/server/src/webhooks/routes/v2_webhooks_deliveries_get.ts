import { V2Envelope, V2Failure, WebhookDelivery } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.get('/v2/webhooks/deliveries/:id', {
    schema: {
      summary: 'Get one webhook delivery and its attempts',
      tags: ['Webhooks'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 200: V2Envelope(WebhookDelivery), '4xx': V2Failure },
    },
    handler: async (request) => {
      const delivery = await webhooks.delivery(request.partner!.id, request.params.id);
      if (!delivery) throw new AppError('DELIVERY_NOT_FOUND', `No delivery ${request.params.id} for this app`);
      return successV2('Delivery retrieved', delivery);
    },
  });
}
