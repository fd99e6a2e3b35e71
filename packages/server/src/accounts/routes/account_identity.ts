import { getIdentity, getIdentityV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { openIdentity } from '../identity.ts';
import { dataMeta } from '../model.ts';

/** The account holder's identity (sealed in the vault): v2 in the envelope, v1 bare. */
export function register(app: HttpApp, { accounts, vault }: Services) {
  app.route({
    ...routeOf(getIdentity),
    handler: async (request) => {
      const account = await accounts.get(request.partner!.id, request.params.id);
      const i = await openIdentity(vault, account.identity);
      return successV2(
        'Request was successfully completed',
        {
          full_name: i?.fullName ?? null,
          email: i?.email ?? null,
          phone: i?.phone ?? null,
          bvn: i?.bvn ?? null,
          gender: i?.gender ?? null,
          date_of_birth: i?.dateOfBirth ?? null,
          address: i?.address ?? null,
        },
        { meta: dataMeta(account) },
      );
    },
  });

  app.route({
    ...routeOf(getIdentityV1),
    handler: async (request) => {
      const account = await accounts.get(request.partner!.id, request.params.id);
      return { ...(await openIdentity(vault, account.identity)), meta: dataMeta(account) };
    },
  });
}
