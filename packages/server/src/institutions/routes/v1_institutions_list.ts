import { coverage, listInstitutionsV1 } from '@relink/contract/operations';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { toV1 } from '../registry.ts';

/** `GET /v1/institutions` and `GET /coverage`: bare arrays, no key (connect.js sends none). */
export function register(app: HttpApp, { institutions }: Services) {
  for (const op of [listInstitutionsV1, coverage]) {
    app.route({
      ...routeOf(op),
      handler: async (request) => {
        const { country } = request.query;
        return institutions
          .all()
          .filter((i) => country === undefined || i.country === country.toLowerCase())
          .map(toV1);
      },
    });
  }
}
