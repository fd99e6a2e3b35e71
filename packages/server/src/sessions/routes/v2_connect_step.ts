import { SessionIdHeader, StepBody, V2Failure, V2StepReply } from '@relink/contract';
import type { HttpApp, Services } from '../../http/types.ts';
import { invalidStep, stepFailure, v2StepBody } from '../replies.ts';

/** `POST /v2/connect/login` and `POST /v2/connect/commit`: `responseCode` at the top level. */
export function register(app: HttpApp, { sessions }: Services) {
  for (const step of ['login', 'commit'] as const) {
    app.post(`/v2/connect/${step}`, {
      schema: {
        summary: step === 'login' ? 'Log in to the institution (v2)' : 'Commit the session: answer a challenge or pick an account (v2)',
        tags: ['Partner sessions'],
        headers: SessionIdHeader,
        body: StepBody,
        response: { 200: V2StepReply, '4xx': V2Failure },
      },
      // Schema failures reach the handler, so they too answer with responseCode 400.
      attachValidation: true,
      handler: async (request) => {
        try {
          if (request.validationError) throw invalidStep(request.validationError);
          return v2StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], step, request.body, 'v2'));
        } catch (error) {
          throw stepFailure(error, 'v2');
        }
      },
    });
  }
}
