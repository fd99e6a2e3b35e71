import { SessionIdHeader, StepBody, V1Failure, V1StepReply } from '@relink/contract';
import type { HttpApp, Services } from '../../http/types.ts';
import { invalidStep, stepFailure, v1StepBody } from '../replies.ts';

/** `POST /v1/connect/login` and `POST /v1/connect/commit`: one step of a session. */
export function register(app: HttpApp, { sessions }: Services) {
  for (const step of ['login', 'commit'] as const) {
    app.post(`/v1/connect/${step}`, {
      schema: {
        summary: step === 'login' ? 'Log in to the institution (v1)' : 'Commit the session: answer a challenge or pick an account (v1)',
        tags: ['Partner sessions'],
        headers: SessionIdHeader,
        body: StepBody,
        response: { 200: V1StepReply, '4xx': V1Failure },
      },
      // Schema failures reach the handler, so they too answer with responseCode 400.
      attachValidation: true,
      handler: async (request) => {
        try {
          if (request.validationError) throw invalidStep(request.validationError);
          return v1StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], step, request.body, 'v1'));
        } catch (error) {
          throw stepFailure(error, 'v1');
        }
      },
    });
  }
}
