import type { Db } from '../db/database.ts';
import type { WebhookDeliveriesTable } from '../db/schema.ts';
import { newId } from '../lib/ids.ts';

/** An app's webhook endpoint and signing secrets, as a delivery attempt needs them. */
export interface Endpoint {
  mode: 'test' | 'live';
  webhook_url: string | null;
  webhook_disabled_at: number | null;
  deleted_at: number | null;
  webhook_secret_id: string | null;
  previous_webhook_secret_id: string | null;
  previous_webhook_secret_expires_at: number | null;
}

/**
 * A delivery claimed by this process in the transaction that queued it, with all its first
 * attempt needs: once the transaction commits it is handed to this process's dispatcher, which
 * starts the attempt at once, without a claim or a read of its own.
 */
export interface HandedDelivery {
  id: string;
  app_id: string;
  event_id: string;
  attempt_count: number;
  claim_token: string;
  claimed_until: number;
  created_at: number;
  body: string;
  endpoint: Endpoint;
}

/** This process's dispatcher, as the outbox sees it (`Dispatcher` in webhooks/). */
export interface Handoff {
  /** A claim on one more delivery of `appId`, or undefined when the dispatcher has no room: the row is then left for any dispatcher to claim. */
  reserve(appId: string): { token: string; until: number } | undefined;
  /** After the commit: the deliveries reserved in it, to attempt now. */
  adopt(deliveries: HandedDelivery[]): void;
  /** The transaction did not commit: its reservations are void. */
  release(deliveries: HandedDelivery[]): void;
}

/** What one `Events.transaction` remembers while it runs: each app's endpoint (read once), and the deliveries it claimed for this process. */
export interface OutboxTransaction {
  endpoints: Map<string, Endpoint | null>;
  handoff: Handoff | undefined;
  handed: HandedDelivery[];
}

/**
 * The outbox's delivering side: queues a delivery of an event, when its app has a webhook URL
 * that is not disabled, and returns its id (null when there is nowhere to deliver). Called in
 * the transaction that records the event, and for a replay (`replayOf`: the delivery it
 * repeats, null for an event replayed by id).
 *
 * `outbox`, when given (an `Events.transaction`), remembers each app's endpoint for the rest of
 * the transaction, so a transaction recording many events (a batch of syncs) reads it once: as
 * if they had all been recorded at the first. With a handoff, the delivery is also claimed for
 * this process's dispatcher, which attempts it the moment the transaction commits.
 */
export async function enqueueDelivery(
  executor: Db,
  event: { id: string; appId: string; createdAt: number; replayOf?: string | null; body?: string },
  outbox?: OutboxTransaction,
): Promise<string | null> {
  let endpoint = outbox?.endpoints.get(event.appId);
  if (endpoint === undefined) {
    endpoint =
      (await executor
        .selectFrom('apps')
        .select([
          'mode',
          'webhook_url',
          'webhook_disabled_at',
          'deleted_at',
          'webhook_secret_id',
          'previous_webhook_secret_id',
          'previous_webhook_secret_expires_at',
        ])
        .where('id', '=', event.appId)
        .where('deleted_at', 'is', null)
        .where('webhook_disabled_at', 'is', null)
        .executeTakeFirst()) ?? null;
    outbox?.endpoints.set(event.appId, endpoint);
  }
  if (!endpoint?.webhook_url) return null;
  const delivery = newDelivery(event.appId, event.id, endpoint.webhook_url, event.createdAt, event.replayOf ?? null);
  const claim = outbox && event.body !== undefined ? outbox.handoff?.reserve(event.appId) : undefined;
  if (claim) {
    delivery.claimed_until = claim.until;
    delivery.claim_token = claim.token;
  }
  await executor.insertInto('webhook_deliveries').values(delivery).execute();
  if (claim) {
    outbox!.handed.push({
      id: delivery.id,
      app_id: delivery.app_id,
      event_id: delivery.event_id,
      attempt_count: 0,
      claim_token: claim.token,
      claimed_until: claim.until,
      created_at: delivery.created_at,
      body: event.body!,
      endpoint,
    });
  }
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
