import { widgetReauth } from '@relink/contract/operations';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import { DomainError } from '../../lib/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { stepFailure } from '../../sessions/routes/replies.ts';
import type { ConnectService } from '../service.ts';
import { widgetBody } from './widget_step.ts';

/** `POST /v2/connect/widget/reauth`: start re-authorising an account; the background login's reply, with data.session. */
export function register(app: HttpApp, _services: Services, connect: ConnectService) {
  app.route({
    ...routeOf(widgetReauth),
    handler: async (request) => {
      const partner = request.partner!;
      try {
        const { account, token, link, reference } = request.body;
        if ([account, token, link].filter(Boolean).length !== 1)
          throw new AppError('INVALID_INPUT', 'Invalid request: send one of body.account, body.link or a legacy body.token');
        const started = await connect.startReauth(partner, { account, token, link, reference });
        const body = widgetBody(started);
        return { ...body, data: { ...body.data, session: started.session, institution: started.institution, next: started.next, reason: started.reason } };
      } catch (error) {
        throw error instanceof DomainError ? stepFailure(error, 'v2') : error;
      }
    },
  });
}
