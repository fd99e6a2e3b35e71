import { listCustomerAccounts } from '@relink/contract/operations';
import { accountFilterOf } from '../../accounts/filter.ts';
import { accountListItem } from '../../accounts/model.ts';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import { paging, pathLink } from '../../http/paging.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/** `GET /v2/customers/{id}/accounts`: the customer's live accounts, filtered and paged as `GET /v2/accounts` lists them. */
export function register(app: HttpApp, services: Services) {
  app.route({
    ...routeOf(listCustomerAccounts),
    // Links name RELINK_PUBLIC_URL (or the address the server listens on, known once it listens).
    handler: async (request) => {
      const appId = request.partner!.id;
      const customer = await services.customers.get(appId, request.params.id);
      const { page = 1, limit = 20, ...filters } = request.query;
      const { items, total } = await services.accounts.list(
        appId,
        { ...accountFilterOf(filters), customerId: customer.id },
        { limit, offset: (page - 1) * limit },
      );
      const link = pathLink(`${services.publicUrl ?? ''}/v2/customers/${customer.id}/accounts`, filters, limit);
      return successV2(
        'Accounts retrieved successfully',
        items.map((a) => accountListItem(a, customer.name)),
        { meta: paging(total, page, limit, link) },
      );
    },
  });
}
