import { WidgetStepFailure } from '@relink/contract';
import { Type } from 'typebox';
import { AppError } from '../../http/errors.ts';
import { DomainError } from '../../lib/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { stepFailure } from '../../sessions/routes/replies.ts';
import type { ConnectService } from '../service.ts';
import { widgetBody } from './widget_step.ts';

/** `POST /v2/connect/widget/reauth`: start re-authorising an account; the background login's reply, with data.session. */
export function register(app: HttpApp, _services: Services, connect: ConnectService) {
  app.post('/v2/connect/widget/reauth', {
    config: { auth: 'public' },
    schema: {
      summary: 'Widget: start re-authorising an account (background login first)',
      description:
        'The widget step reply with `data.session`, `data.institution` (the account\'s bank: `id`, `name`) and, with a 102, `data.next` (`login`: the form is the login form; `commit`: the bank sent the person a challenge) and `data.reason`: `challenge`, `credentials_rejected` (the bank no longer takes the stored password) or `confirm_login` (the bank took it; the person logs in to confirm it is them). A background login alone never completes a re-authorisation here: the person acts.',
      tags: ['Connect widget'],
      body: Type.Object({
        account: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        token: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'connect.js 1.x reauth_token' })),
        link: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A hosted reauth link id' })),
        reference: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
      }),
      response: { 200: Type.Object({}, { additionalProperties: true, description: 'The widget step reply, with data.session' }), '4xx': WidgetStepFailure },
    },
    handler: async (request) => {
      const partner = request.partner!;
      try {
        const { account, token, link, reference } = request.body;
        if ([account, token, link].filter(Boolean).length !== 1) throw new AppError('INVALID_INPUT', 'Invalid request: send one of body.account, body.link or a legacy body.token');
        const started = await connect.startReauth(partner, { account, token, link, reference });
        const body = widgetBody(started);
        return { ...body, data: { ...body.data, session: started.session, institution: started.institution, next: started.next, reason: started.reason } };
      } catch (error) {
        throw error instanceof DomainError ? stepFailure(error, 'v2') : error;
      }
    },
  });
}
