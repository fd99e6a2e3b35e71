import { getAccount, getAccountV1, getBalance, getIdentity, getIdentityV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { openIdentity } from '../identity.ts';
import { accountV1, accountV2 } from '../model.ts';

/** An account's details, balance and identity. */
export function register(app: HttpApp, { accounts, vault }: Services) {
  app.route({ ...routeOf(getAccountV1), handler: async (request) => accountV1(await accounts.get(request.partner!.id, request.params.id)) });

  app.route({
    ...routeOf(getAccount),
    handler: async (request) => successV2('Request was successfully completed', accountV2(await accounts.get(request.partner!.id, request.params.id))),
  });

  app.route({
    ...routeOf(getBalance),
    handler: async (request) => {
      const a = await accounts.get(request.partner!.id, request.params.id);
      return successV2('Request was successfully completed', { id: a.id, name: a.name, account_number: a.accountNumber, balance: a.balance, currency: a.currency });
    },
  });

  app.route({
    ...routeOf(getIdentity),
    handler: async (request) => {
      const i = await openIdentity(vault, (await accounts.get(request.partner!.id, request.params.id)).identity);
      return successV2('Request was successfully completed', {
        full_name: i?.fullName ?? null,
        email: i?.email ?? null,
        phone: i?.phone ?? null,
        bvn: i?.bvn ?? null,
        gender: i?.gender ?? null,
        date_of_birth: i?.dateOfBirth ?? null,
        address: i?.address ?? null,
      });
    },
  });

  app.route({
    ...routeOf(getIdentityV1),
    handler: async (request) => (await openIdentity(vault, (await accounts.get(request.partner!.id, request.params.id)).identity)) ?? {},
  });
}
