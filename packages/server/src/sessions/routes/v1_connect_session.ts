import { Ui, V1Failure } from '@relink/contract';
import { Type } from 'typebox';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { v1ReauthSessionBody, v1SessionBody } from '../replies.ts';

export function register(app: HttpApp, { sessions }: Services) {
  app.post('/v1/connect/session', {
    schema: {
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
      response: {
        200: Type.Object(
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
                response_code: Type.Integer({ description: '99 done, 102 commit the ui form, 400 log in again with the ui form' }),
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
                ui: { title: 'Relink Sandbox Bank sent a one-time password to your phone', form: [{ type: 'elements.input', name: 'otp', hint: 'Enter the 5-digit OTP', contentType: 'password', maxLength: 5 }] },
                reauth: { response_code: 102, message: 'Relink Sandbox Bank sent a one-time password to your phone' },
              },
            ],
          },
        ),
        '4xx': V1Failure,
      },
    },
    handler: async (request) => {
      const partner = request.partner!;
      const { app: appId, institution, auth_method, reauth_token } = request.body;
      if (appId !== undefined && appId !== partner.id) {
        throw new AppError('INVALID_INPUT', 'Invalid request: body.app must be the id of the app this secret key belongs to');
      }
      if (reauth_token !== undefined) return v1ReauthSessionBody(await sessions.startReauth(partner, { token: reauth_token }));
      if (institution === undefined || auth_method === undefined) {
        const missing = [institution === undefined && 'body.institution is required', auth_method === undefined && 'body.auth_method is required'].filter(Boolean);
        throw new AppError('INVALID_INPUT', `Invalid request: ${missing.join('; ')} (or send body.reauth_token to re-authorise an account)`);
      }
      return v1SessionBody(await sessions.create(partner, { institution, authMethod: auth_method }));
    },
  });
}
