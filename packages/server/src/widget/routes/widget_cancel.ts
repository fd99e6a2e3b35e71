import { SessionIdHeader, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import type { ConnectService } from '../service.ts';

/**
 * `POST /v2/connect/widget/cancel`: the widget ends its own session when the person closes it,
 * so a re-authorisation they walked away from frees the account at once instead of holding it
 * for the session's ten minutes. Only sessions this app's widget started.
 */
export function register(app: HttpApp, _services: Services, connect: ConnectService) {
  app.post('/v2/connect/widget/cancel', {
    config: { auth: 'public' },
    schema: {
      summary: 'Widget: cancel the session the widget started',
      tags: ['Connect widget'],
      headers: SessionIdHeader,
      response: { 200: V2Envelope(Type.Object({ session: Type.Object({ id: Type.String(), status: Type.Literal('cancelled') }) })), '4xx': V2Failure },
    },
    handler: async (request) => {
      const id = request.headers['x-session-id'];
      await connect.cancel(request.partner!, id);
      return successV2('Session cancelled', { session: { id: id!, status: 'cancelled' as const } });
    },
  });
}
