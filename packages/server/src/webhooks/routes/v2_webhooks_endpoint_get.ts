import { V2Envelope, V2Failure, WebhookEndpoint } from '@relink/contract';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.get('/v2/webhooks/endpoint', {
    schema: {
      summary: "Your app's webhook URL, and whether delivery to it is disabled",
      tags: ['Webhooks'],
      response: { 200: V2Envelope(WebhookEndpoint), '4xx': V2Failure },
    },
    handler: async (request) => successV2('Webhook endpoint retrieved', (await webhooks.endpoint(request.partner!.id))!),
  });
}
