import { reauthLogin } from '@relink/contract/operations';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { asStep, v2StepBody } from '../../sessions/routes/replies.ts';

/** `POST /v2/connect/reauth/login` (seed 003): new credentials for a re-authorisation whose stored ones the bank rejected. */
export function register(app: HttpApp, { sessions }: Services) {
  app.route({
    ...routeOf(reauthLogin),
    attachValidation: true,
    handler: (request) =>
      asStep('v2', request, async () =>
        v2StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], 'login', request.body, { only: 'reauth' })),
      ),
  });
}
