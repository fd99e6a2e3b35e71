import { InstitutionV3, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { toV3 } from '../registry.ts';

export function register(app: HttpApp, { institutions }: Services) {
  app.get('/v3/institutions', {
    schema: {
      summary: 'List institutions (v3)',
      tags: ['Institutions'],
      querystring: Type.Object({
        scope: Type.Optional(Type.Enum(['financial_data', 'payments'])),
        auth_method: Type.Optional(Type.Enum(['internet_banking', 'mobile_banking'])),
        bank_code: Type.Optional(Type.String({ maxLength: 16 })),
      }),
      response: { 200: V2Envelope(Type.Array(InstitutionV3)), '4xx': V2Failure },
    },
    handler: async (request) => {
      const { scope, auth_method, bank_code } = request.query;
      const list = scope === 'payments' ? [] : institutions.filter({ authMethod: auth_method, bankCode: bank_code });
      return successV2('Request was successfully completed', list.map(toV3));
    },
  });
}
