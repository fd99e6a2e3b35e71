import { listInstitutions } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { toV3 } from '../registry.ts';

export function register(app: HttpApp, { institutions }: Services) {
  app.route({
    ...routeOf(listInstitutions),
    handler: async (request) => {
      const { scope, auth_method, bank_code } = request.query;
      const list = scope === 'payments' ? [] : institutions.filter({ authMethod: auth_method, bankCode: bank_code });
      return successV2('Request was successfully completed', list.map(toV3));
    },
  });
}
