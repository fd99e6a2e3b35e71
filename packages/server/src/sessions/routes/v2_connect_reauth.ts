import { SessionIdHeader, Ui, V2Envelope, V2Failure, V2StepReply } from '@relink/contract';
import { Type } from 'typebox';
import type { HttpApp, Services } from '../../http/types.ts';
import { invalidStep, REAUTH_NEXT, stepFailure, v2ReauthSessionBody, v2StepBody } from '../replies.ts';

const ACCOUNT = '6a1f2c3d4e5f60718293a4b5';

/**
 * Re-authorisation over v2 (seed 003): `POST /v2/connect/reauth/session` logs in in the
 * background with the stored credentials; `POST /v2/connect/reauth/login` takes new ones when
 * the bank rejected them. MFA answers go to `POST /v2/connect/commit` like any session's.
 */
export function register(app: HttpApp, { sessions }: Services) {
  app.post('/v2/connect/reauth/session', {
    schema: {
      summary: 'Start re-authorising an account (v2)',
      description:
        'Logs in to the bank in the background with the stored credentials. `data.responseCode` 99: done, `data.code` exchanges to the same account id. 102: the user must answer `data.userInput`; send it to `data.next` with `x-session-id: data.session.id` (`/v2/connect/commit` for MFA, `/v2/connect/reauth/login` when the stored password was rejected). 409 `REAUTH_IN_PROGRESS` while another reauth session for the account is live.',
      tags: ['Re-authorisation'],
      body: Type.Object(
        { account: Type.String({ minLength: 1, maxLength: 64, description: 'The account id to re-authorise' }) },
        { examples: [{ account: ACCOUNT }] },
      ),
      response: {
        200: V2Envelope(
          Type.Union([
            Type.Object({ responseCode: Type.Literal(99), code: Type.String() }),
            Type.Object({
              responseCode: Type.Literal(102),
              session: Type.Object({ id: Type.String(), expiresAt: Type.Integer() }),
              userInput: Ui,
              next: Type.Enum(Object.values(REAUTH_NEXT)),
            }),
          ]),
          {},
          {
            examples: [
              { status: 'successful', message: 'Request completed successfully', timestamp: '2026-11-29T12:26:36.853Z', data: { responseCode: 99, code: 'code_q90t4ar2uriet5ey4rs22v0x' } },
              {
                status: 'successful',
                message: 'Relink Sandbox Bank sent a one-time password to your phone',
                timestamp: '2026-11-29T12:26:36.853Z',
                data: {
                  responseCode: 102,
                  session: { id: 'session_Xq3bT0dYl2mS8vK1pR7wZc4F', expiresAt: 1796041596853 },
                  userInput: { title: 'Relink Sandbox Bank sent a one-time password to your phone', form: [{ type: 'elements.input', name: 'otp', hint: 'Enter the 5-digit OTP', contentType: 'password', maxLength: 5 }] },
                  next: '/v2/connect/commit',
                },
              },
            ],
          },
        ),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => v2ReauthSessionBody(await sessions.startReauth(request.partner!, { accountId: request.body.account })),
  });

  app.post('/v2/connect/reauth/login', {
    schema: {
      summary: 'Log in again during a re-authorisation (v2)',
      description:
        "For a reauth session whose stored password the bank rejected: the user's new credentials. Must be the same bank user the account was linked with (400 `BANK_USER_MISMATCH` otherwise, and the account keeps its stored credentials). Answers like `/v2/connect/login`: top-level `responseCode` 99, 102 or 400.",
      tags: ['Re-authorisation'],
      headers: SessionIdHeader,
      body: Type.Object(
        { username: Type.String({ maxLength: 512 }), password: Type.String({ maxLength: 512 }) },
        { additionalProperties: true, examples: [{ username: 'user_otp', password: 'pass_Zk3vQ9rT' }] },
      ),
      response: { 200: V2StepReply, '4xx': V2Failure },
    },
    attachValidation: true,
    handler: async (request) => {
      try {
        if (request.validationError) throw invalidStep(request.validationError);
        return v2StepBody(await sessions.step(request.partner!, request.headers['x-session-id'], 'login', request.body, 'v2', 'reauth'));
      } catch (error) {
        throw stepFailure(error, 'v2');
      }
    },
  });
}
