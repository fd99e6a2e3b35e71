import { Type } from 'typebox';
import { V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { Ui } from '../institutions.ts';
import { operation } from '../operation.ts';
import { CustomerInput, SessionIdHeader, StepBody, V1StepReply, V2StepReply } from '../sessions.ts';

const SESSION_EXAMPLE_UI = {
  title: 'Relink Sandbox Bank sent a one-time password to your phone',
  form: [{ type: 'elements.input', name: 'otp', hint: 'Enter the 5-digit OTP', contentType: 'password', maxLength: 5 }],
};

export const createSessionV1 = operation({
  method: 'POST',
  path: '/v1/connect/session',
  summary: 'Create a connect session (v1): link, or re-authorise with a reauth token',
  description:
    'Starts linking with `{app, institution, auth_method}`: answers the session id and the login form. With `{reauth_token}` (from `POST /accounts/{id}/reauthorise`) it re-authorises that account instead: Relink logs in in the background with the stored credentials and adds `reauth:{response_code, message}`: 99 done (`reauth.code` holds the code), 102 the bank wants the `ui` form (commit it with `POST /v1/connect/commit`), 400 the stored password was rejected (`ui` is the login form; log in with `POST /v1/connect/login`).',
  tags: ['Partner sessions', 'Re-authorisation'],
  body: Type.Object(
    {
      app: Type.Optional(Type.String({ maxLength: 64 })),
      institution: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      auth_method: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      reauth_token: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Re-authorise the account this token was issued for' })),
    },
    { examples: [{ institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' }, { reauth_token: 'VwxcfeLRZvq1UlD5WiuN' }] },
  ),
  response: Type.Object(
    {
      status: Type.String(),
      message: Type.String(),
      id: Type.String(),
      app: Type.String(),
      institution: Type.String(),
      auth_method: Type.String(),
      expiresAt: Type.Integer(),
      ui: Ui,
      reauth: Type.Optional(
        Type.Object({
          response_code: Type.Union([Type.Literal(99), Type.Literal(102), Type.Literal(400)], {
            description: '99 done, 102 commit the ui form, 400 log in again with the ui form',
          }),
          message: Type.String(),
          code: Type.Optional(Type.String({ description: 'With 99: the code to exchange at /account/auth [Relink]' })),
        }),
      ),
    },
    {
      examples: [
        {
          status: 'successful',
          message: 'Session created successfully',
          id: 'session_Xq3bT0dYl2mS8vK1pR7wZc4F',
          app: '61e270e2bbe2010771c0dec7',
          institution: '5f2d08be60b92e2888287000',
          auth_method: 'internet_banking',
          expiresAt: 1796041596853,
          ui: SESSION_EXAMPLE_UI,
          reauth: { response_code: 102, message: 'Relink Sandbox Bank sent a one-time password to your phone' },
        },
      ],
    },
  ),
  failure: V1Failure,
});

export const loginV1 = operation({
  method: 'POST',
  path: '/v1/connect/login',
  summary: 'Log in to the institution (v1)',
  tags: ['Partner sessions'],
  headers: SessionIdHeader,
  body: StepBody,
  response: V1StepReply,
  failure: V1Failure,
});

export const commitV1 = operation({
  method: 'POST',
  path: '/v1/connect/commit',
  summary: 'Commit the session: answer a challenge or pick an account (v1)',
  tags: ['Partner sessions'],
  headers: SessionIdHeader,
  body: StepBody,
  response: V1StepReply,
  failure: V1Failure,
});

export const createSession = operation({
  method: 'POST',
  path: '/v2/connect/session',
  summary: 'Create a connect session (v2)',
  tags: ['Partner sessions'],
  body: Type.Object({
    institution: Type.String({ minLength: 1, maxLength: 64 }),
    auth_method: Type.String({ minLength: 1, maxLength: 64 }),
    scope: Type.Optional(Type.Enum(['financial_data'])),
    customer: Type.Optional(CustomerInput),
  }),
  response: V2Envelope(
    Type.Object({
      session: Type.Object({
        id: Type.String(),
        scope: Type.String(),
        expiresAt: Type.Integer(),
        institution: Type.Object({ id: Type.String(), name: Type.String(), identifier: Type.String() }),
      }),
      ui: Ui,
    }),
  ),
  failure: V2Failure,
});

export const login = operation({
  method: 'POST',
  path: '/v2/connect/login',
  summary: 'Log in to the institution (v2)',
  tags: ['Partner sessions'],
  headers: SessionIdHeader,
  body: StepBody,
  response: V2StepReply,
  failure: V2Failure,
});

export const commit = operation({
  method: 'POST',
  path: '/v2/connect/commit',
  summary: 'Commit the session: answer a challenge or pick an account (v2)',
  tags: ['Partner sessions'],
  headers: SessionIdHeader,
  body: StepBody,
  response: V2StepReply,
  failure: V2Failure,
});

export const sandboxCredentials = operation({
  method: 'GET',
  path: '/v2/connect/sandbox',
  summary: 'Sandbox credentials and challenge answers (test keys only)',
  tags: ['Sandbox'],
  response: V2Envelope(
    Type.Object({
      credentials: Type.Array(
        Type.Object({
          hasMultipleAccounts: Type.Boolean(),
          values: Type.Object({ username: Type.String(), password: Type.String() }),
          description: Type.String(),
        }),
      ),
      inputs: Type.Array(Type.Object({ name: Type.String(), value: Type.String(), description: Type.String() })),
    }),
  ),
  failure: V2Failure,
});
