import { setEndpoint } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(setEndpoint),
    handler: async (request) => {
      const partner = request.partner!;
      const result = await webhooks.setEndpoint(partner.id, partner.mode, request.body.url);
      if ('refused' in result) throw new AppError('WEBHOOK_URL_REFUSED', `Invalid request: body.${result.refused}`);
      const endpoint = (await webhooks.endpoint(partner.id))!;
      return successV2('Webhook endpoint set; the webhook secret is shown only now', { ...endpoint, webhook_secret: result.secret });
    },
  });
}
