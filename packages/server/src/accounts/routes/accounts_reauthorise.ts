import { V1Failure, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { AccountId } from './schemas.ts';

const Token = Type.String({ pattern: '^[0-9A-Za-z]{20}$', description: 'Single use, 10 minutes; send it as `reauth_token` to POST /v1/connect/session' });

/** `POST /accounts/{id}/reauthorise` (seed 000) and its v2 twin: a reauth token for the account. */
export function register(app: HttpApp, { accounts }: Services) {
  app.post('/accounts/:id/reauthorise', {
    // A replay under the same Idempotency-Key returns the token again, so it is stored sealed.
    config: { sealIdempotentResponse: true },
    schema: {
      summary: 'Get a reauth token for an account (v1)',
      description: 'Answers `{token}`: 20 characters, single use, valid 10 minutes, bound to this app and account. Open the reauth session with `POST /v1/connect/session {"reauth_token": token}`.',
      tags: ['Re-authorisation'],
      params: AccountId,
      response: { 200: Type.Object({ token: Token }, { examples: [{ token: 'VwxcfeLRZvq1UlD5WiuN' }] }), '4xx': V1Failure },
    },
    handler: async (request) => ({ token: (await accounts.issueReauthToken(request.partner!.id, request.params.id)).token }),
  });
  app.post('/v2/accounts/:id/reauthorise', {
    config: { sealIdempotentResponse: true },
    schema: {
      summary: 'Get a reauth token for an account (v2)',
      description: 'The v2 envelope with `data:{token, expires_at}`, and `token` at the top level too, so readers of the v1 shape work.',
      tags: ['Re-authorisation'],
      params: AccountId,
      response: {
        200: V2Envelope(Type.Object({ token: Token, expires_at: Type.String({ format: 'date-time' }) }), { token: Token }, {
          examples: [{ status: 'successful', message: 'Reauth token created', timestamp: '2026-11-29T12:26:36.853Z', token: 'VwxcfeLRZvq1UlD5WiuN', data: { token: 'VwxcfeLRZvq1UlD5WiuN', expires_at: '2026-11-29T12:36:36.853Z' } }],
        }),
        '4xx': V2Failure,
      },
    },
    handler: async (request) => {
      const { token, expiresAt } = await accounts.issueReauthToken(request.partner!.id, request.params.id);
      return successV2('Reauth token created', { token, expires_at: new Date(expiresAt).toISOString() }, { token });
    },
  });
}
