import { V1Failure, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { successV2 } from '../../http/envelope.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { AccountId } from './schemas.ts';

/** Unlink and sync, under v1 and v2 paths. */
export function register(app: HttpApp, { accounts, sync }: Services) {
  for (const v2 of [false, true]) {
    const prefix = v2 ? '/v2/accounts' : '/accounts';
    const failure = v2 ? V2Failure : V1Failure;
    app.post(`${prefix}/:id/unlink`, {
      schema: {
        summary: `Unlink an account: delete its stored credentials and data (${v2 ? 'v2' : 'v1'})`,
        tags: ['Accounts'],
        params: AccountId,
        response: { 200: v2 ? V2Envelope(Type.Null()) : Type.Object({ status: Type.String(), message: Type.String() }), '4xx': failure },
      },
      handler: async (request) => {
        await accounts.unlink(request.partner!.id, request.params.id);
        const message = 'Account unlinked successfully';
        return v2 ? successV2(message, null) : { status: 'successful', message };
      },
    });
    app.post(`${prefix}/:id/sync`, {
      schema: {
        summary: `Queue a data sync now (${v2 ? 'v2' : 'v1'})`,
        tags: ['Accounts'],
        params: AccountId,
        response: {
          200: v2 ? V2Envelope(Type.Object({ status: Type.String() })) : Type.Object({ status: Type.String(), message: Type.String() }),
          '4xx': failure,
        },
      },
      handler: async (request) => {
        await accounts.requestSync(request.partner!.id, request.params.id);
        void sync.wake();
        const message = 'Data sync queued; account_updated follows when it finishes';
        return v2 ? successV2(message, { status: 'PROCESSING' }) : { status: 'successful', message };
      },
    });
  }
}
