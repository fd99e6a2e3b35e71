import { V2Envelope, V2Failure, WebhookEndpoint, WebhookSecret } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.put('/v2/webhooks/endpoint', {
    schema: {
      summary: 'Set the webhook URL: re-enables delivery and returns a new webhook secret, once',
      tags: ['Webhooks'],
      body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }) }, { additionalProperties: false }),
      response: { 200: V2Envelope(Type.Object({ ...WebhookEndpoint.properties, ...WebhookSecret.properties })), '4xx': V2Failure },
    },
    handler: async (request) => {
      const partner = request.partner!;
      const result = await webhooks.setEndpoint(partner.id, partner.mode, request.body.url);
      if ('refused' in result) throw new AppError('WEBHOOK_URL_REFUSED', `Invalid request: body.${result.refused}`);
      const endpoint = (await webhooks.endpoint(partner.id))!;
      return successV2('Webhook endpoint set; the webhook secret is shown only now', { ...endpoint, webhook_secret: result.secret });
    },
  });
}
