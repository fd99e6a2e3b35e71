import { unlink, unlinkV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

const UNLINKED = 'Account unlinked successfully';

/** Unlink: the account's credentials and data are deleted; its id answers 404 from now on. */
export function register(app: HttpApp, { accounts }: Services) {
  app.route({
    ...routeOf(unlinkV1),
    handler: async (request) => {
      await accounts.unlink(request.partner!.id, request.params.id);
      return { status: 'successful', message: UNLINKED };
    },
  });
  app.route({
    ...routeOf(unlink),
    handler: async (request) => {
      await accounts.unlink(request.partner!.id, request.params.id);
      return successV2(UNLINKED, null);
    },
  });
}
