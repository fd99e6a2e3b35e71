import { cancelSession } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/** `POST /v2/connect/cancel`: the partner ends any live session of its app (a stuck reauth included). */
export function register(app: HttpApp, { sessions }: Services) {
  app.route({
    ...routeOf(cancelSession),
    handler: async (request) => {
      const id = request.headers['x-session-id'];
      await sessions.cancel(request.partner!, id, 'The partner cancelled this session');
      return successV2('Session cancelled', { session: { id: id!, status: 'cancelled' as const } });
    },
  });
}
