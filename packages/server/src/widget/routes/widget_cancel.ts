import { widgetCancel } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import type { ConnectService } from '../service.ts';

/**
 * `POST /v2/connect/widget/cancel`: the widget ends its own session when the person closes it,
 * so a re-authorisation they walked away from frees the account at once instead of holding it
 * for the session's ten minutes. Only sessions this app's widget started.
 */
export function register(app: HttpApp, _services: Services, connect: ConnectService) {
  app.route({
    ...routeOf(widgetCancel),
    handler: async (request) => {
      const id = request.headers['x-session-id'];
      await connect.cancel(request.partner!, id);
      return successV2('Session cancelled', { session: { id: id!, status: 'cancelled' as const } });
    },
  });
}
