import { listAccounts } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import { paging, pathLink } from '../../http/paging.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { accountFilterOf } from '../filter.ts';
import { accountListItem } from '../model.ts';

/** `GET /v2/accounts`: the app's live accounts, filtered, oldest link first, in Mono's paging block. */
export function register(app: HttpApp, services: Services) {
  app.route({
    ...routeOf(listAccounts),
    handler: async (request) => {
      const { page = 1, limit = 20, ...filters } = request.query;
      const appId = request.partner!.id;
      const { items, total } = await services.accounts.list(appId, accountFilterOf(filters), { limit, offset: (page - 1) * limit });
      const names = await services.customers.names(
        appId,
        items.map((a) => a.customerId),
      );
      // Links name RELINK_PUBLIC_URL (or the address the server listens on), never the Host header.
      const link = pathLink(`${services.publicUrl ?? ''}${listAccounts.path}`, filters, limit);
      return successV2(
        'Accounts retrieved successfully',
        items.map((a) => accountListItem(a, names.get(a.customerId) ?? null)),
        { meta: paging(total, page, limit, link) },
      );
    },
  });
}
