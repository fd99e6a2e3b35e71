import { replayEvent } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(replayEvent),
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
