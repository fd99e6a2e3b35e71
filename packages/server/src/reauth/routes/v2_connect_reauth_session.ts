import { startReauth } from '@relink/contract/operations';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { v2ReauthSessionBody } from './replies.ts';

/**
 * `POST /v2/connect/reauth/session` (seed 003): Relink logs in in the background with the stored
 * credentials; a 102 asks for an MFA answer (`POST /v2/connect/commit`) or new credentials
 * (`POST /v2/connect/reauth/login`).
 */
export function register(app: HttpApp, { reauth }: Services) {
  app.route({
    ...routeOf(startReauth),
    handler: async (request) => v2ReauthSessionBody(await reauth.start(request.partner!, { accountId: request.body.account })),
  });
}
