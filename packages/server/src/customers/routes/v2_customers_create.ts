import { createCustomer } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { customerFieldsOf, customerV2 } from '../model.ts';

/** `POST /v2/customers`: 201 with the customer, as Mono answers it. */
export function register(app: HttpApp, { customers }: Services) {
  app.route({
    ...routeOf(createCustomer),
    handler: async (request, reply) => {
      const customer = await customers.create(request.partner!.id, customerFieldsOf(request.body));
      reply.code(201);
      return successV2('Created customer successfully', customerV2(customer));
    },
  });
}
