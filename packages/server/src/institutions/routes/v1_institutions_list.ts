import { InstitutionV1, V1Failure } from '@relink/contract';
import { Type } from 'typebox';
import type { HttpApp, Services } from '../../http/types.ts';
import { toV1 } from '../registry.ts';

/** `GET /v1/institutions` and `GET /coverage`: bare arrays, no key (connect.js sends none). */
export function register(app: HttpApp, { institutions }: Services) {
  for (const url of ['/v1/institutions', '/coverage']) {
    app.get(url, {
      config: { auth: 'none' },
      schema: {
        summary: url === '/coverage' ? 'List institutions (coverage)' : 'List institutions (v1)',
        tags: ['Institutions'],
        querystring: Type.Object({ scope: Type.Optional(Type.String()), country: Type.Optional(Type.String()) }),
        response: { 200: Type.Array(InstitutionV1), '4xx': V1Failure },
      },
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
