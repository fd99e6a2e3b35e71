import { getCustomer } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { customerV2 } from '../model.ts';

export function register(app: HttpApp, { customers }: Services) {
  app.route({
    ...routeOf(getCustomer),
    handler: async (request) => successV2('Customer retrieved successfully', customerV2(await customers.get(request.partner!.id, request.params.id))),
  });
}
