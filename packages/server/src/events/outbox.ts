import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { WebhookDeliveriesTable } from '../db/schema.ts';
import { newId } from '../lib/ids.ts';

/**
 * The outbox's delivering side: queues a delivery of an event, when its app has a webhook URL
 * that is not disabled, and returns its id (null when there is nowhere to deliver). Called in
 * the transaction that records the event, and for a replay (`replayOf`: the delivery it
 * repeats, null for an event replayed by id).
 *
 * `urls`, when given, remembers each app's URL for the rest of one transaction, so a
 * transaction recording many events (a batch of syncs) reads it once: as if they had all been
 * recorded at the first.
 */
export async function enqueueDelivery(
  executor: Db,
  event: { id: string; appId: string; createdAt: number; replayOf?: string | null },
  urls?: Map<string, string | null>,
): Promise<string | null> {
  let url = urls?.get(event.appId);
  if (url === undefined) {
    const app = await executor
      .selectFrom('apps')
      .select('webhook_url')
      .where('id', '=', event.appId)
      .where('deleted_at', 'is', null)
      .where('webhook_disabled_at', 'is', null)
      .executeTakeFirst();
    url = app?.webhook_url ?? null;
    urls?.set(event.appId, url);
  }
  if (!url) return null;
  const delivery = newDelivery(event.appId, event.id, url, event.createdAt, event.replayOf ?? null);
  await executor.insertInto('webhook_deliveries').values(delivery).execute();
  return delivery.id;
}

/** A pending delivery row, due now; `replayOf` names the delivery a replay repeats. */
export function newDelivery(appId: string, eventId: string, url: string, now: number, replayOf: string | null = null): WebhookDeliveriesTable {
  return {
    id: newId('whd'),
    app_id: appId,
    event_id: eventId,
    url,
    status: 'pending',
    replay_of: replayOf,
    attempt_count: 0,
    next_attempt_at: now,
    claimed_until: null,
    claim_token: null,
    last_status_code: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
}

/**
 * The bodies of the app's events of `type` about `accountId` whose delivery has failed and waits
 * for its next try, later than `now`: what the receiver has not had yet and will be sent again.
 * It reads the pending deliveries' partial index (`status` a literal, so the index applies):
 * only deliveries that wait are in it, the failing backlog, never the delivered history.
 */
export async function awaitingRetry(executor: Db, where: { appId: string; accountId: string; type: string; now: number }): Promise<string[]> {
  const rows = await executor
    .selectFrom('webhook_deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select('e.body')
    .where('d.status', '=', sql.lit('pending'))
    .where('d.next_attempt_at', '>', where.now)
    .where('d.app_id', '=', where.appId)
    .where('d.attempt_count', '>', 0)
    .where('e.account_id', '=', where.accountId)
    .where('e.type', '=', where.type)
    .execute();
  return rows.map((r) => r.body);
}
