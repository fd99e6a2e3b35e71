import { listCustomers } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import { paging, pathLink } from '../../http/paging.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { customerV2 } from '../model.ts';

/** `GET /v2/customers`: the app's customers, oldest first, in Mono's paging block. */
export function register(app: HttpApp, services: Services) {
  app.route({
    ...routeOf(listCustomers),
    handler: async (request) => {
      const { page = 1, limit = 20, email, phone } = request.query;
      const { items, total } = await services.customers.list(request.partner!.id, { email, phone }, { limit, offset: (page - 1) * limit });
      const link = pathLink(`${services.publicUrl ?? ''}${listCustomers.path}`, { email, phone }, limit);
      return successV2('Customers retrieved successfully', items.map(customerV2), { meta: paging(total, page, limit, link) });
    },
  });
}
