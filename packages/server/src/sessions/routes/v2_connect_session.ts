import { createSession } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { v2SessionData } from './replies.ts';

export function register(app: HttpApp, { sessions }: Services) {
  app.route({
    ...routeOf(createSession),
    handler: async (request) => {
      const { institution, auth_method, customer } = request.body;
      const session = await sessions.create(request.partner!, { institution, authMethod: auth_method, customer });
      return successV2('Request completed successfully', v2SessionData(session));
    },
  });
}
