import { createSessionV1 } from '@relink/contract/operations';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { v1ReauthSessionBody } from '../../reauth/routes/replies.ts';
import { v1SessionBody } from './replies.ts';

export function register(app: HttpApp, { sessions, reauth }: Services) {
  app.route({
    ...routeOf(createSessionV1),
    handler: async (request) => {
      const partner = request.partner!;
      const { app: appId, institution, auth_method, reauth_token } = request.body;
      if (appId !== undefined && appId !== partner.id) {
        throw new AppError('INVALID_INPUT', 'Invalid request: body.app must be the id of the app this secret key belongs to');
      }
      if (reauth_token !== undefined) return v1ReauthSessionBody(await reauth.start(partner, { token: reauth_token }));
      if (institution === undefined || auth_method === undefined) {
        const missing = [institution === undefined && 'body.institution is required', auth_method === undefined && 'body.auth_method is required'].filter(
          Boolean,
        );
        throw new AppError('INVALID_INPUT', `Invalid request: ${missing.join('; ')} (or send body.reauth_token to re-authorise an account)`);
      }
      return v1SessionBody(await sessions.create(partner, { institution, authMethod: auth_method }));
    },
  });
}
