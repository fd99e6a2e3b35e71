import { exchangeCode, exchangeCodeV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/**
 * Exchange a code for the account id: `POST /account/auth` answers Mono's bare `{id}`,
 * `POST /v2/accounts/auth` the v2 envelope with the same top-level `id`.
 */
export function register(app: HttpApp, { codes }: Services) {
  app.route({ ...routeOf(exchangeCodeV1), handler: async (request) => ({ id: await codes.exchange(request.partner!.id, request.body.code) }) });

  app.route({
    ...routeOf(exchangeCode),
    handler: async (request) => {
      const id = await codes.exchange(request.partner!.id, request.body.code);
      return successV2('Request completed successfully', { id }, { id });
    },
  });
}
