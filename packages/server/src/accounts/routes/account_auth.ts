import { V1Failure, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import type { HttpApp, Services } from '../../http/types.ts';

/** Exchange a code for the account id: `POST /account/auth` and `POST /v2/accounts/auth` (bare `{id}`). */
export function register(app: HttpApp, { codes }: Services) {
  for (const url of ['/account/auth', '/v2/accounts/auth']) {
    app.post(url, {
      schema: {
        summary: url.startsWith('/v2') ? 'Exchange a code for an account id (v2)' : 'Exchange a code for an account id (v1)',
        tags: ['Accounts'],
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: Type.Object({ id: Type.String() }), '4xx': url.startsWith('/v2') ? V2Failure : V1Failure },
      },
      handler: async (request) => ({ id: await codes.exchange(request.partner!.id, request.body.code) }),
    });
  }
}
