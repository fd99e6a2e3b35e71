import { getBalance } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { dataMeta } from '../model.ts';

/** An account's balance, as of its last sync. */
export function register(app: HttpApp, { accounts }: Services) {
  app.route({
    ...routeOf(getBalance),
    handler: async (request) => {
      const a = await accounts.get(request.partner!.id, request.params.id);
      return successV2(
        'Request was successfully completed',
        { id: a.id, name: a.name, account_number: a.accountNumber, balance: a.balance, currency: a.currency },
        { meta: dataMeta(a) },
      );
    },
  });
}
