import { reauthLogin, startReauth } from '@relink/contract/operations';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { asStep, v2StepBody } from '../../sessions/routes/replies.ts';
import { v2ReauthSessionBody } from './replies.ts';

/**
 * Re-authorisation over v2 (seed 003): `POST /v2/connect/reauth/session` logs in in the
 * background with the stored credentials; `POST /v2/connect/reauth/login` takes new ones when
 * the bank rejected them. MFA answers go to `POST /v2/connect/commit` like any session's.
 */
export function register(app: HttpApp, { sessions, reauth }: Services) {
  app.route({
    ...routeOf(startReauth),
    handler: async (request) => v2ReauthSessionBody(await reauth.start(request.partner!, { accountId: request.body.account })),
  });

  app.route({
    ...routeOf(reauthLogin),
    attachValidation: true,
    handler: (request) => asStep('v2', request, async () => v2StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], 'login', request.body, { only: 'reauth' }))),
  });
}
