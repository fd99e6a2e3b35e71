import { sync, syncV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

const SYNC_QUEUED = 'Data sync queued; account_updated follows when it finishes';

/** A data sync on demand: queued at once, `account_updated` when it finishes. */
export function register(app: HttpApp, { accounts, sync: syncs }: Services) {
  const queueSync = async (appId: string, id: string) => {
    await accounts.requestSync(appId, id);
    void syncs.wake();
  };

  app.route({
    ...routeOf(syncV1),
    handler: async (request) => {
      await queueSync(request.partner!.id, request.params.id);
      return { status: 'successful', message: SYNC_QUEUED };
    },
  });
  app.route({
    ...routeOf(sync),
    handler: async (request) => {
      await queueSync(request.partner!.id, request.params.id);
      return successV2(SYNC_QUEUED, { status: 'PROCESSING' });
    },
  });
}
