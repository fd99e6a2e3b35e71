import { WidgetStepFailure } from '@relink/contract';
import { Type } from 'typebox';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { stepFailure } from '../../sessions/replies.ts';
import { startReauth } from '../reauth.ts';
import type { ConnectService } from '../service.ts';
import { widgetBody } from './widget_step.ts';

/** `POST /v2/connect/widget/reauth`: start re-authorising an account; the background login's reply. */
export function register(app: HttpApp, services: Services, connect: ConnectService) {
  app.post('/v2/connect/widget/reauth', {
    config: { auth: 'public' },
    schema: {
      summary: 'Widget: start re-authorising an account (background login first)',
      tags: ['Connect widget'],
      body: Type.Object({
        account: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        token: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'connect.js 1.x reauth_token' })),
        reference: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
      }),
      response: { 200: Type.Object({}, { additionalProperties: true, description: 'The v2 step reply, with data.session' }), '4xx': WidgetStepFailure },
    },
    handler: async (request) => {
      const app = request.partner!;
      try {
        const { account, token } = request.body;
        if (!account === !token) throw new AppError('INVALID_INPUT', 'Invalid request: send body.account (or a legacy body.token), not both');
        const started = await startReauth(services, app, account ? { accountId: account } : { token: token! });
        await connect.store.insertSession({ session_id: started.session.id, app_id: app.id, reference: request.body.reference ?? null, link_id: null, created_at: services.clock.now() });
        const body = widgetBody({ reply: started.reply, sessionOpen: true, redirectUrl: null });
        return { ...body, data: { ...body.data, session: started.session } };
      } catch (error) {
        throw error instanceof AppError ? stepFailure(error, 'v2') : error;
      }
    },
  });
}
