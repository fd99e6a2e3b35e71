import type { Capabilities } from '../db/dialects/types.ts';
import type { Db } from '../db/database.ts';
import type { DeliveryStatus, WebhookDeliveriesTable } from '../db/schema.ts';
import { newId } from '../lib/ids.ts';

export interface Claim {
  id: string;
  app_id: string;
  event_id: string;
  attempt_count: number;
  claim_token: string;
}

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

/** Delivery rows and their attempts. The only code that reads or writes the delivery tables. */
export class DeliveryStore {
  constructor(
    private readonly db: Db,
    private readonly capabilities: Capabilities,
  ) {}

  /**
   * Claims up to `limit` due deliveries in one guarded statement. On PostgreSQL rows locked by
   * another instance's claim are skipped rather than waited for; the outer guard repeats the
   * claim's condition, so a row is never held by two claims even where SKIP LOCKED does not exist.
   *
   * The selection is a MATERIALIZED CTE, run once. As `WHERE id IN (SELECT … LIMIT n FOR
   * UPDATE SKIP LOCKED)` PostgreSQL may plan it as the inner side of a nested loop and rerun
   * it per outer row; each rerun skips the rows this statement already updated and offers the
   * next ones, so a claim of 8 took up to 14 rows (test `webhooks/claim.test.ts`).
   *
   * The outer guard is the claim itself (`claimed_until`), not `status`: with `status = ?`
   * beside `id IN (…)`, SQLite walked the (status, next_attempt_at) index over every pending
   * row instead of looking up the few ids, 1 ms a claim behind a backlog (docs/benchmarks.md).
   * A row selected as pending stays pending until the update: the statement is atomic on
   * SQLite, and the selection holds its rows' locks on PostgreSQL. Ties in `next_attempt_at`
   * are left in index order: sorting them by id made SQLite sort the whole due backlog on
   * every claim (0.4 ms a claim behind 3,000 due rows, against 8 µs without).
   */
  claimDue(now: number, limit: number, leaseMs: number, excludeApps: string[]): Promise<Claim[]> {
    const token = newId('clm');
    return this.db
      .with(
        (cte) => cte('due').materialized(),
        (db) =>
          db
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', now)
            .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
            .$if(excludeApps.length > 0, (q) => q.where('app_id', 'not in', excludeApps))
            .orderBy('next_attempt_at')
            .limit(limit)
            .$if(this.capabilities.skipLocked, (q) => q.forUpdate().skipLocked()),
      )
      .updateTable('webhook_deliveries')
      .set({ claimed_until: now + leaseMs, claim_token: token })
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .returning(['id', 'app_id', 'event_id', 'attempt_count', 'claim_token'])
      .execute() as Promise<Claim[]>;
  }

  /** Gives a claimed delivery back untouched, for another dispatcher to take at once. */
  async release(claim: Claim): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_until: null, claim_token: null })
      .where('id', '=', claim.id)
      .where('claim_token', '=', claim.claim_token)
      .execute();
  }

  /** Everything an attempt needs: the event body and the app's endpoint and secrets. */
  target(deliveryId: string) {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('apps as a', 'a.id', 'd.app_id')
      .select([
        'e.body',
        'a.mode',
        'a.webhook_url',
        'a.webhook_disabled_at',
        'a.deleted_at',
        'a.webhook_secret_id',
        'a.previous_webhook_secret_id',
        'a.previous_webhook_secret_expires_at',
      ])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
  }

  /**
   * Records an attempt and moves the delivery on, if this dispatcher still holds it. A 410
   * disables the app's webhook, but only while the app still points at the URL that answered.
   */
  async finish(
    claim: Claim,
    attempt: { url: string; at: number; statusCode: number | null; durationMs: number; error: string | null; bodyExcerpt: string | null },
    next: { status: DeliveryStatus; nextAttemptAt: number | null; disableReason?: string },
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          id: newId('wha'),
          delivery_id: claim.id,
          app_id: claim.app_id,
          url: attempt.url,
          attempted_at: attempt.at,
          status_code: attempt.statusCode,
          duration_ms: attempt.durationMs,
          error: attempt.error,
          response_body_excerpt: attempt.bodyExcerpt,
        })
        .execute();
      const done = next.status !== 'pending';
      const result = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          status: next.status,
          url: attempt.url,
          attempt_count: eb('attempt_count', '+', 1),
          next_attempt_at: next.nextAttemptAt,
          claimed_until: null,
          claim_token: null,
          last_status_code: attempt.statusCode,
          last_error: attempt.error,
          updated_at: attempt.at,
          completed_at: done ? attempt.at : null,
        }))
        .where('id', '=', claim.id)
        .where('claim_token', '=', claim.claim_token)
        .executeTakeFirst();
      if (next.disableReason !== undefined) {
        await trx
          .updateTable('apps')
          .set({ webhook_disabled_at: attempt.at, webhook_disabled_reason: next.disableReason, updated_at: attempt.at })
          .where('id', '=', claim.app_id)
          .where('webhook_url', '=', attempt.url)
          .where('webhook_disabled_at', 'is', null)
          .execute();
      }
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /** Ends a delivery that cannot be attempted (no URL any more, webhook disabled, app deleted). */
  async abandon(claim: Claim, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', next_attempt_at: null, claimed_until: null, claim_token: null, last_error: reason, updated_at: now, completed_at: now })
      .where('id', '=', claim.id)
      .where('claim_token', '=', claim.claim_token)
      .execute();
  }
}
