import { ConnectOrigins, V2Envelope, V2Failure } from '@relink/contract';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { connectService } from '../factory.ts';

export function register(app: HttpApp, services: Services) {
  const connect = connectService(services);
  app.get('/v2/connect/origins', {
    schema: {
      summary: 'The origins allowed to frame the Connect widget (null: any page)',
      tags: ['Connect widget'],
      response: { 200: V2Envelope(ConnectOrigins), '4xx': V2Failure },
    },
    handler: async (request) => successV2('Request completed successfully', { origins: await connect.origins(request.partner!) }),
  });
}
