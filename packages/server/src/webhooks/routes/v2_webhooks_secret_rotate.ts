import { V2Envelope, V2Failure, WebhookSecret } from '@relink/contract';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.post('/v2/webhooks/secret/rotate', {
    // A retried rotation replays the same new secret; the stored copy is encrypted.
    config: { sealIdempotentResponse: true },
    schema: {
      summary: 'Issue a new webhook secret; the previous one keeps signing for 24 hours',
      tags: ['Webhooks'],
      response: { 200: V2Envelope(WebhookSecret), '4xx': V2Failure },
    },
    handler: async (request) => {
      const rotated = (await webhooks.rotateSecret(request.partner!.id))!;
      const expires = rotated.previousExpiresAt === null ? null : new Date(rotated.previousExpiresAt).toISOString();
      return successV2('Webhook secret rotated; the new secret is shown only now', { webhook_secret: rotated.secret, previous_secret_expires_at: expires });
    },
  });
}
