import { deleteCustomer } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/** `DELETE /v2/customers/{id}`: refused while the customer has linked accounts. */
export function register(app: HttpApp, { customers }: Services) {
  app.route({
    ...routeOf(deleteCustomer),
    handler: async (request) => {
      await customers.delete(request.partner!.id, request.params.id);
      return successV2('Deleted customer successfully', null);
    },
  });
}
