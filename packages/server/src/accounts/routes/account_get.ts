import { getAccount, getAccountV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { accountV1, accountV2 } from '../model.ts';

/** An account's details: v1 bare, v2 in the envelope. */
export function register(app: HttpApp, { accounts }: Services) {
  app.route({ ...routeOf(getAccountV1), handler: async (request) => accountV1(await accounts.get(request.partner!.id, request.params.id)) });

  app.route({
    ...routeOf(getAccount),
    handler: async (request) => successV2('Request was successfully completed', accountV2(await accounts.get(request.partner!.id, request.params.id))),
  });
}
