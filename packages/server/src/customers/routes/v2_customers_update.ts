import { updateCustomer } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { customerFieldsOf, customerV2 } from '../model.ts';

/** `PATCH /v2/customers/{id}`: Mono's message; `data` is the customer as it now is (Mono's is null). */
export function register(app: HttpApp, { customers }: Services) {
  app.route({
    ...routeOf(updateCustomer),
    handler: async (request) => {
      const customer = await customers.update(request.partner!.id, request.params.id, customerFieldsOf(request.body));
      return successV2('Customer updated successfully', customerV2(customer));
    },
  });
}
