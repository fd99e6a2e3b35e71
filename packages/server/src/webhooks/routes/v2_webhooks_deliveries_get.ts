import { getDelivery } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(getDelivery),
    handler: async (request) => {
      const delivery = await webhooks.delivery(request.partner!.id, request.params.id);
      if (!delivery) throw new AppError('DELIVERY_NOT_FOUND', `No delivery ${request.params.id} for this app`);
      return successV2('Delivery retrieved', delivery);
    },
  });
}
