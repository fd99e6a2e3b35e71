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

/** How many of an account's latest events of a type `awaitingRetry` looks at. */
const RECENT = 10;

/**
 * The bodies of the latest events of `type` about the app's account `accountId` (up to ten,
 * newest first) whose delivery has failed and waits for its next try, later than `now`: what
 * the receiver has not had yet and will be sent again. Ten, read through the account's own
 * index (migration 0022), so the cost does not grow with the app's event log or the failing
 * backlog; an eleventh distinct analysis in a row is queued again, which only bounds less.
 */
export async function awaitingRetry(executor: Db, where: { appId: string; accountId: string; type: string; now: number }): Promise<string[]> {
  const recent = await executor
    .selectFrom('events')
    .select(['id', 'body'])
    .where('account_id', '=', where.accountId)
    .where('type', '=', where.type)
    .where('app_id', '=', where.appId)
    .orderBy('created_at', 'desc')
    .limit(RECENT)
    .execute();
  if (recent.length === 0) return [];
  // By event id alone, then judged here: with the delivery's state in the query PostgreSQL may
  // also walk the pending deliveries' index, every app's failing backlog (8 ms behind 20,000).
  const deliveries = await executor
    .selectFrom('webhook_deliveries')
    .select(['event_id', 'status', 'attempt_count', 'next_attempt_at'])
    .where(
      'event_id',
      'in',
      recent.map((e) => e.id),
    )
    .execute();
  const waiting = new Set(
    deliveries
      .filter((d) => d.status === 'pending' && d.attempt_count > 0 && d.next_attempt_at !== null && d.next_attempt_at > where.now)
      .map((d) => d.event_id),
  );
  return recent.filter((e) => waiting.has(e.id)).map((e) => e.body);
}
