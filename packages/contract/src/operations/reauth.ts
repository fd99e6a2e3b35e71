import { Type } from 'typebox';
import { ReauthToken, AccountId } from '../accounts.ts';
import { V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { Ui } from '../institutions.ts';
import { operation } from '../operation.ts';
import { REAUTH_NEXT } from '../names.ts';
import { SessionIdHeader, V2StepReply } from '../sessions.ts';

export { REAUTH_NEXT } from '../names.ts';

const ACCOUNT = '6a1f2c3d4e5f60718293a4b5';

export const reauthoriseV1 = operation({
  method: 'POST',
  path: '/accounts/:id/reauthorise',
  summary: 'Get a reauth token for an account (v1)',
  description:
    'Answers `{token}`: 20 characters, single use, valid 10 minutes, bound to this app and account. Open the reauth session with `POST /v1/connect/session {"reauth_token": token}`.',
  tags: ['Re-authorisation'],
  params: AccountId,
  response: Type.Object({ token: ReauthToken }, { examples: [{ token: 'VwxcfeLRZvq1UlD5WiuN' }] }),
  failure: V1Failure,
});

export const reauthorise = operation({
  method: 'POST',
  path: '/v2/accounts/:id/reauthorise',
  summary: 'Get a reauth token for an account (v2)',
  description: 'The v2 envelope with `data:{token, expires_at}`, and `token` at the top level too, so readers of the v1 shape work.',
  tags: ['Re-authorisation'],
  params: AccountId,
  response: V2Envelope(
    Type.Object({ token: ReauthToken, expires_at: Type.String({ format: 'date-time' }) }),
    { token: ReauthToken },
    {
      examples: [
        {
          status: 'successful',
          message: 'Reauth token created',
          timestamp: '2026-11-29T12:26:36.853Z',
          token: 'VwxcfeLRZvq1UlD5WiuN',
          data: { token: 'VwxcfeLRZvq1UlD5WiuN', expires_at: '2026-11-29T12:36:36.853Z' },
        },
      ],
    },
  ),
  failure: V2Failure,
});

export const startReauth = operation({
  method: 'POST',
  path: '/v2/connect/reauth/session',
  summary: 'Start re-authorising an account (v2)',
  description:
    'Logs in to the bank in the background with the stored credentials. `data.responseCode` 99: done, `data.code` exchanges to the same account id. 102: the user must answer `data.userInput`; send it to `data.next` with `x-session-id: data.session.id` (`/v2/connect/commit` for MFA, `/v2/connect/reauth/login` when the stored password was rejected). 409 `REAUTH_IN_PROGRESS` while another reauth session for the account is live.',
  tags: ['Re-authorisation'],
  body: Type.Object(
    { account: Type.String({ minLength: 1, maxLength: 64, description: 'The account id to re-authorise' }) },
    { examples: [{ account: ACCOUNT }] },
  ),
  response: V2Envelope(
    Type.Union([
      Type.Object({ responseCode: Type.Literal(99), code: Type.String() }),
      Type.Object({
        responseCode: Type.Literal(102),
        session: Type.Object({ id: Type.String(), expiresAt: Type.Integer() }),
        userInput: Ui,
        next: Type.Union([Type.Literal(REAUTH_NEXT.login), Type.Literal(REAUTH_NEXT.commit)]),
      }),
    ]),
    {},
    {
      examples: [
        {
          status: 'successful',
          message: 'Request completed successfully',
          timestamp: '2026-11-29T12:26:36.853Z',
          data: { responseCode: 99, code: 'code_q90t4ar2uriet5ey4rs22v0x' },
        },
        {
          status: 'successful',
          message: 'Relink Sandbox Bank sent a one-time password to your phone',
          timestamp: '2026-11-29T12:26:36.853Z',
          data: {
            responseCode: 102,
            session: { id: 'session_Xq3bT0dYl2mS8vK1pR7wZc4F', expiresAt: 1796041596853 },
            userInput: {
              title: 'Relink Sandbox Bank sent a one-time password to your phone',
              form: [{ type: 'elements.input', name: 'otp', hint: 'Enter the 5-digit OTP', contentType: 'password', maxLength: 5 }],
            },
            next: '/v2/connect/commit',
          },
        },
      ],
    },
  ),
  failure: V2Failure,
});

export const reauthLogin = operation({
  method: 'POST',
  path: '/v2/connect/reauth/login',
  summary: 'Log in again during a re-authorisation (v2)',
  description:
    "For a reauth session whose stored password the bank rejected: the user's new credentials. Must be the same bank user the account was linked with (400 `BANK_USER_MISMATCH` otherwise, and the account keeps its stored credentials). Answers like `/v2/connect/login`: top-level `responseCode` 99, 102 or 400.",
  tags: ['Re-authorisation'],
  headers: SessionIdHeader,
  body: Type.Object(
    { username: Type.String({ maxLength: 512 }), password: Type.String({ maxLength: 512 }) },
    { additionalProperties: true, examples: [{ username: 'user_otp', password: 'pass_changed1' }] },
  ),
  response: V2StepReply,
  failure: V2Failure,
});

export const cancelSession = operation({
  method: 'POST',
  path: '/v2/connect/cancel',
  summary: 'Cancel a session',
  description:
    "Ends a live session of this app (a link or a re-authorisation, started by the Partners API or by the widget) [Relink]: its later steps answer 409 `SESSION_CANCELLED`, a re-authorisation frees its account at once, and the session's sealed secrets are deleted. Cancelling a cancelled or failed session answers 200 again; a completed one is 409 `SESSION_COMPLETED`. A step that is at the bank while the session is cancelled is discarded.",
  tags: ['Partner sessions', 'Re-authorisation'],
  headers: SessionIdHeader,
  response: V2Envelope(
    Type.Object({ session: Type.Object({ id: Type.String(), status: Type.Literal('cancelled') }) }),
    {},
    {
      examples: [
        {
          status: 'successful',
          message: 'Session cancelled',
          timestamp: '2026-11-29T12:26:36.853Z',
          data: { session: { id: 'session_Xq3bT0dYl2mS8vK1pR7wZc4F', status: 'cancelled' } },
        },
      ],
    },
  ),
  failure: V2Failure,
});
