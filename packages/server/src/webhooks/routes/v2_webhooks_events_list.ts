import { Paging, V2Envelope, V2Failure, WebhookEvent } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { PageQuery, paging, pathLink } from '../../http/paging.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.get('/v2/webhooks/events', {
    schema: {
      summary: "List your app's events, newest first",
      tags: ['Webhooks'],
      querystring: Type.Object(PageQuery),
      response: { 200: V2Envelope(Type.Array(WebhookEvent), { meta: Paging }), '4xx': V2Failure },
    },
    handler: async (request) => {
      const { page, limit } = request.query;
      const { items, total } = await webhooks.events(request.partner!.id, { page, limit });
      return successV2('Events retrieved', items, { meta: paging(total, page, limit, pathLink('/v2/webhooks/events', {}, limit)) });
    },
  });
}
