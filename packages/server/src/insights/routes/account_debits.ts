import { getDebits, getDebitsV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/** Money out, from the stored transactions: v1 bare with `meta`, v2 in the envelope with `meta` beside `data`. */
export function register(app: HttpApp, { insights }: Services) {
  app.route({
    ...routeOf(getDebitsV1),
    handler: async (request) => {
      const { value, meta } = await insights.flow(request.partner!.id, request.params.id, 'debit');
      return { ...value, meta };
    },
  });

  app.route({
    ...routeOf(getDebits),
    handler: async (request) => {
      const { value, meta } = await insights.flow(request.partner!.id, request.params.id, 'debit');
      return successV2('Request was successfully completed', value, { meta });
    },
  });
}
