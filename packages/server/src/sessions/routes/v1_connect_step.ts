import { commitV1, loginV1 } from '@relink/contract/operations';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { asStep, v1StepBody } from './replies.ts';

/** `POST /v1/connect/login` and `POST /v1/connect/commit`: one step of a session. */
export function register(app: HttpApp, { sessions }: Services) {
  for (const [op, step] of [
    [loginV1, 'login'],
    [commitV1, 'commit'],
  ] as const) {
    app.route({
      ...routeOf(op),
      // Schema failures reach the handler, so they too answer with responseCode 400.
      attachValidation: true,
      handler: (request) =>
        asStep('v1', request, async () =>
          v1StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], step, request.body, { accountBy: 'index' })),
        ),
    });
  }
}
