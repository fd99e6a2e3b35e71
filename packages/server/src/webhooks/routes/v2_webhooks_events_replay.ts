import { V2Envelope, V2Failure, WebhookDelivery } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.post('/v2/webhooks/events/:id/replay', {
    schema: {
      summary: 'Deliver one of your events (again) by its event_id, also one recorded while the webhook was off',
      tags: ['Webhooks'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 201: V2Envelope(WebhookDelivery), '4xx': V2Failure },
    },
    handler: async (request, reply) => {
      const result = await webhooks.replayEvent(request.partner!.id, request.params.id);
      if (result === 'not_found') throw new AppError('EVENT_NOT_FOUND', `No event ${request.params.id} for this app`);
      if (result === 'not_configured') {
        throw new AppError('WEBHOOK_NOT_CONFIGURED', 'This app has no enabled webhook URL: set one with PUT /v2/webhooks/endpoint');
      }
      reply.code(201);
      return successV2('Delivery queued', result);
    },
  });
}
