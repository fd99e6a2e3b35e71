import { commit, login } from '@relink/contract/operations';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { asStep, v2StepBody } from './replies.ts';

/** `POST /v2/connect/login` and `POST /v2/connect/commit`: `responseCode` at the top level. */
export function register(app: HttpApp, { sessions }: Services) {
  for (const [op, step] of [
    [login, 'login'],
    [commit, 'commit'],
  ] as const) {
    app.route({
      ...routeOf(op),
      // Schema failures reach the handler, so they too answer with responseCode 400.
      attachValidation: true,
      handler: (request) =>
        asStep('v2', request, async () => v2StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], step, request.body))),
    });
  }
}
