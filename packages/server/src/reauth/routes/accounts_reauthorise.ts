import { reauthorise, reauthoriseV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/** `POST /accounts/{id}/reauthorise` (seed 000) and its v2 twin: a reauth token for the account. */
export function register(app: HttpApp, { reauth }: Services) {
  // A replay under the same Idempotency-Key returns the token again, so it is stored sealed.
  const sealed = { sealIdempotentResponse: true };

  app.route({
    ...routeOf(reauthoriseV1, sealed),
    handler: async (request) => ({ token: (await reauth.issueToken(request.partner!.id, request.params.id)).token }),
  });

  app.route({
    ...routeOf(reauthorise, sealed),
    handler: async (request) => {
      const { token, expiresAt } = await reauth.issueToken(request.partner!.id, request.params.id);
      return successV2('Reauth token created', { token, expires_at: new Date(expiresAt).toISOString() }, { token });
    },
  });
}
