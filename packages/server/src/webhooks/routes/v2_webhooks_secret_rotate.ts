import { rotateSecret } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(rotateSecret, { sealIdempotentResponse: true }),
    handler: async (request) => {
      const rotated = (await webhooks.rotateSecret(request.partner!.id))!;
      const expires = rotated.previousExpiresAt === null ? null : new Date(rotated.previousExpiresAt).toISOString();
      return successV2('Webhook secret rotated; the new secret is shown only now', { webhook_secret: rotated.secret, previous_secret_expires_at: expires });
    },
  });
}
