import { Ui, V1Failure } from '@relink/contract';
import { Type } from 'typebox';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { v1SessionBody } from '../replies.ts';

export function register(app: HttpApp, { sessions }: Services) {
  app.post('/v1/connect/session', {
    schema: {
      summary: 'Create a connect session (v1)',
      description: 'Starts linking: `{app, institution, auth_method}`. Answers the session id and the login form.',
      tags: ['Partner sessions'],
      body: Type.Object({
        app: Type.Optional(Type.String({ maxLength: 64 })),
        institution: Type.String({ minLength: 1, maxLength: 64 }),
        auth_method: Type.String({ minLength: 1, maxLength: 64 }),
      }),
      response: {
        200: Type.Object({
          status: Type.String(),
          message: Type.String(),
          id: Type.String(),
          app: Type.String(),
          institution: Type.String(),
          auth_method: Type.String(),
          expiresAt: Type.Integer(),
          ui: Ui,
        }),
        '4xx': V1Failure,
      },
    },
    handler: async (request) => {
      const partner = request.partner!;
      const { app: appId, institution, auth_method } = request.body;
      if (appId !== undefined && appId !== partner.id) {
        throw new AppError('INVALID_INPUT', 'Invalid request: body.app must be the id of the app this secret key belongs to');
      }
      return v1SessionBody(await sessions.create(partner, { institution, authMethod: auth_method }));
    },
  });
}
