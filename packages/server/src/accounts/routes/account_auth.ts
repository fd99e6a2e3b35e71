import { V1Failure, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';

const Body = Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }, { examples: [{ code: 'code_q90t4ar2uriet5ey4rs22v0x' }] });

/**
 * Exchange a code for the account id. `POST /account/auth` answers Mono's bare `{id}`;
 * `POST /v2/accounts/auth` the v2 envelope with `data:{id}` and the same top-level `id`, so
 * readers of either shape work. A code from a re-authorisation gives the original account id.
 */
export function register(app: HttpApp, { codes }: Services) {
  app.post('/account/auth', {
    schema: {
      summary: 'Exchange a code for an account id (v1)',
      tags: ['Accounts'],
      body: Body,
      response: { 200: Type.Object({ id: Type.String() }, { examples: [{ id: '6a1f2c3d4e5f60718293a4b5' }] }), '4xx': V1Failure },
    },
    handler: async (request) => ({ id: await codes.exchange(request.partner!.id, request.body.code) }),
  });
  app.post('/v2/accounts/auth', {
    schema: {
      summary: 'Exchange a code for an account id (v2)',
      tags: ['Accounts'],
      body: Body,
      response: {
        200: V2Envelope(Type.Object({ id: Type.String() }), { id: Type.String() }, {
          examples: [{ status: 'successful', message: 'Request completed successfully', timestamp: '2026-11-29T12:26:36.853Z', id: '6a1f2c3d4e5f60718293a4b5', data: { id: '6a1f2c3d4e5f60718293a4b5' } }],
        }),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => {
      const id = await codes.exchange(request.partner!.id, request.body.code);
      return successV2('Request completed successfully', { id }, { id });
    },
  });
}
