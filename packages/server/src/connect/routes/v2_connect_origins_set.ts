import { ConnectOrigins, V2Envelope, V2Failure } from '@relink/contract';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { connectService } from '../factory.ts';

/**
 * Sets the origins allowed to frame the widget. With a list, the widget page's
 * `frame-ancestors` names exactly these, and a `referrer` of another origin gets no widget.
 */
export function register(app: HttpApp, services: Services) {
  const connect = connectService(services);
  app.put('/v2/connect/origins', {
    schema: {
      summary: 'Set the origins allowed to frame the Connect widget ([] or null: any page)',
      tags: ['Connect widget'],
      body: ConnectOrigins,
      response: { 200: V2Envelope(ConnectOrigins), '4xx': V2Failure },
    },
    handler: async (request) => successV2('Allowed origins updated', { origins: await connect.setOrigins(request.partner!.id, request.body.origins) }),
  });
}
