import type { RealtimeHeaders } from '@relink/contract';
import { getAccount, getAccountV1 } from '@relink/contract/operations';
import type { FastifyReply } from 'fastify';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { accountV1, accountV2 } from '../model.ts';
import { accountFor } from './realtime.ts';

/** An account's details (v1 bare, v2 in the envelope), as of its last sync or, with `x-realtime: true`, from the bank now. */
export function register(app: HttpApp, services: Services) {
  const account = (request: { partner: { id: string } | null; params: { id: string }; headers: RealtimeHeaders }, reply: FastifyReply) =>
    accountFor(services, request.partner!.id, request.params.id, request.headers, reply, 'jobs.accounts.sync_balance');

  app.route({ ...routeOf(getAccountV1), handler: async (request, reply) => accountV1(await account(request, reply)) });

  app.route({
    ...routeOf(getAccount),
    handler: async (request, reply) => successV2('Request was successfully completed', accountV2(await account(request, reply))),
  });
}
