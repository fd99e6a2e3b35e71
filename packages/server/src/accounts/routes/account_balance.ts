import { getBalance } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { dataMeta } from '../model.ts';
import { accountFor } from './realtime.ts';

/** An account's balance, as of its last sync, or from the bank now with `x-realtime: true`. */
export function register(app: HttpApp, services: Services) {
  app.route({
    ...routeOf(getBalance),
    handler: async (request, reply) => {
      const a = await accountFor(services, request.partner!.id, request.params.id, request.headers, reply, 'jobs.accounts.sync_balance');
      return successV2(
        'Request was successfully completed',
        { id: a.id, name: a.name, account_number: a.accountNumber, balance: a.balance, currency: a.currency },
        { meta: dataMeta(a) },
      );
    },
  });
}
