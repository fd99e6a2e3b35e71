import { accountOf, fastifyRawJson, fastifyWebhookHandler, type ReauthTracker, type RelinkEvent } from '@relink/sdk';
import type { FastifyInstance } from 'fastify';
import type { PartnerDb } from '../db.ts';
import type { LiveUpdates } from '../live.ts';

export const WEBHOOK_PATH = '/webhooks/relink';

/**
 * Relink's webhook. Every delivery is verified by the SDK (the Standard Webhooks signature over
 * the raw body; unsigned or tampered deliveries are 401 and never reach `apply`). The seed's
 * workflow runs in the SDK's ReauthTracker over the users table; each event that concerns a
 * user is also pushed to their open pages.
 */
export function registerWebhook(app: FastifyInstance, deps: { db: PartnerDb; tracker: ReauthTracker; live: LiveUpdates; secret: () => string | undefined }) {
  const apply = async (event: RelinkEvent) => {
    const user = deps.db.users.byAccount(accountOf(event));
    if (!user) return;
    await deps.tracker.handle(event);
    deps.live.notify(user.id, event.event);
  };
  app.register(async (scope) => {
    fastifyRawJson(scope);
    scope.post(WEBHOOK_PATH, async (request, reply) => {
      const secret = deps.secret();
      if (!secret) return reply.code(503).send({ error: 'the webhook is not set up yet' });
      return fastifyWebhookHandler({ secret, allowSecretHeader: false }, apply)(request, reply);
    });
  });
}
