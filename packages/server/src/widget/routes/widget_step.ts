import { widgetCommit, widgetLogin } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { asStep, v2StepBody } from '../../sessions/routes/replies.ts';
import type { ConnectService, WidgetStep } from '../service.ts';

/**
 * `POST /v2/connect/widget/login` and `/commit`: the Partners API's v2 steps with the public
 * key. A failed step also says whether the session can take another (`sessionOpen`), so the
 * widget knows between "try again" and "start over".
 */
export function register(app: HttpApp, _services: Services, connect: ConnectService) {
  for (const [step, op] of [
    ['login', widgetLogin],
    ['commit', widgetCommit],
  ] as const) {
    app.route({
      ...routeOf(op),
      attachValidation: true,
      handler: (request) =>
        asStep('v2', request, async () => widgetBody(await connect.step(request.partner!, request.headers['x-session-id'], step, request.body))),
    });
  }
}

export function widgetBody({ reply, sessionOpen, redirectUrl }: WidgetStep) {
  if (reply.responseCode === 99)
    return successV2('Login successful', { code: reply.code, ...(redirectUrl ? { redirect_url: redirectUrl } : {}) }, { responseCode: 99 });
  if (reply.responseCode === 400) throw new AppError(reply.error, reply.message, { responseCode: 400, sessionOpen });
  return v2StepBody(reply);
}
