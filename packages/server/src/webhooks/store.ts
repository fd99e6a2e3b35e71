import type { Capabilities } from '../db/dialects/types.ts';
import type { Db } from '../db/database.ts';
import type { AppRow, DeliveryStatus } from '../db/schema.ts';
import { newId } from '../lib/ids.ts';
import { sql } from 'kysely';

export interface Claim {
  id: string;
  app_id: string;
  event_id: string;
  attempt_count: number;
  claim_token: string;
  /** When the claim lapses and any dispatcher may take the row. */
  claimed_until: number;
  /** When the delivery was queued: its event's commit, or the replay that asked for it again. */
  created_at: number;
}

/** What an attempt of a claimed delivery needs: the event body and the app's endpoint and secrets. */
export interface Target {
  body: string;
  mode: AppRow['mode'];
  webhook_url: string | null;
  webhook_disabled_at: number | null;
  deleted_at: number | null;
  webhook_secret_id: string | null;
  previous_webhook_secret_id: string | null;
  previous_webhook_secret_expires_at: number | null;
}

/** What became of a claimed delivery, to be recorded. */
export type Outcome =
  | {
      kind: 'attempted';
      claim: Claim;
      attempt: { url: string; at: number; statusCode: number | null; durationMs: number; error: string | null; bodyExcerpt: string | null };
      next: { status: DeliveryStatus; nextAttemptAt: number | null; disableReason?: string };
    }
  /** Ended without an attempt: no URL any more, webhook disabled, app deleted. */
  | { kind: 'abandoned'; claim: Claim; reason: string; at: number }
  /** Cut short by a shutdown: given back untouched. */
  | { kind: 'released'; claim: Claim };

/** Delivery rows and their attempts: the only code that claims, updates or reads them (events/outbox.ts queues them). */
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
  claimDue(now: number, limit: number, leaseMs: number, excludeApps: string[], executor?: Db): Promise<Claim[]> {
    if (!executor && this.capabilities.asyncCommit) return this.writing((trx) => this.claimDue(now, limit, leaseMs, excludeApps, trx));
    const token = newId('clm');
    return (executor ?? this.db)
      .with(
        (cte) => cte('due').materialized(),
        (db) =>
          db
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('status', '=', sql.lit('pending'))
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
      .returning(['id', 'app_id', 'event_id', 'attempt_count', 'claim_token', 'claimed_until', 'created_at'])
      .execute() as Promise<Claim[]>;
  }

  /**
   * Everything the attempts of these deliveries need, in one read: each event's body and its
   * app's endpoint and secrets. A delivery whose app is gone is missing from the map.
   */
  async targets(deliveryIds: string[]): Promise<Map<string, Target>> {
    if (deliveryIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('apps as a', 'a.id', 'd.app_id')
      .select([
        'd.id',
        'e.body',
        'a.mode',
        'a.webhook_url',
        'a.webhook_disabled_at',
        'a.deleted_at',
        'a.webhook_secret_id',
        'a.previous_webhook_secret_id',
        'a.previous_webhook_secret_expires_at',
      ])
      .where('d.id', 'in', deliveryIds)
      .execute();
    return new Map(rows.map(({ id, ...target }) => [id, target]));
  }

  /**
   * Records what became of several claimed deliveries in one transaction: attempts with their
   * next step, deliveries ended without an attempt, and claims given back untouched (a
   * shutdown cut the attempt short) for another dispatcher to take at once. Each row is
   * changed only if this dispatcher still holds it (its claim token). A 410 disables the app's
   * webhook, but only while the app still points at the URL that answered. With `claim`, the
   * next due deliveries are claimed in the same transaction, and returned.
   */
  async record(outcomes: Outcome[], claim?: { now: number; limit: number; leaseMs: number }): Promise<Claim[]> {
    return this.writing(async (trx) => {
      const attempted = outcomes.filter((o) => o.kind === 'attempted');
      if (attempted.length > 0) {
        await trx
          .insertInto('webhook_attempts')
          .values(
            attempted.map(({ claim, attempt }) => ({
              id: newId('wha'),
              delivery_id: claim.id,
              app_id: claim.app_id,
              url: attempt.url,
              attempted_at: attempt.at,
              status_code: attempt.statusCode,
              duration_ms: attempt.durationMs,
              error: attempt.error,
              response_body_excerpt: attempt.bodyExcerpt,
            })),
          )
          .execute();
      }
      await moveOn(trx, attempted);
      for (const outcome of outcomes) if (outcome.kind !== 'attempted') await this.recordOne(trx, outcome);
      for (const { claim, attempt, next } of attempted) {
        if (next.disableReason === undefined) continue;
        await trx
          .updateTable('apps')
          .set({ webhook_disabled_at: attempt.at, webhook_disabled_reason: next.disableReason, updated_at: attempt.at })
          .where('id', '=', claim.app_id)
          .where('webhook_url', '=', attempt.url)
          .where('webhook_disabled_at', 'is', null)
          .execute();
      }
      return claim ? this.claimDue(claim.now, claim.limit, claim.leaseMs, [], trx) : [];
    });
  }

  /**
   * A transaction of the dispatcher's own bookkeeping (claims and recorded attempts), which
   * does not wait for its commit to reach the disk where the database offers that
   * (PostgreSQL: one flush was 10–20 ms here, most of a delivery's time). What a database
   * crash could lose is only this bookkeeping, never an event or its delivery row (those are
   * written by the change that caused them, with the usual durable commit): a lost claim frees
   * the row; a lost record leaves it claimed until the lease ends, and the event is delivered
   * again, which at-least-once delivery allows and the `webhook-id` lets a receiver detect.
   */
  private writing<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      if (this.capabilities.asyncCommit) await sql`set local synchronous_commit = off`.execute(trx);
      return work(trx);
    });
  }

  private async recordOne(trx: Db, outcome: Exclude<Outcome, { kind: 'attempted' }>): Promise<void> {
    const held = trx.updateTable('webhook_deliveries').where('id', '=', outcome.claim.id).where('claim_token', '=', outcome.claim.claim_token);
    if (outcome.kind === 'released') {
      await held.set({ claimed_until: null, claim_token: null }).execute();
    } else {
      const { reason, at } = outcome;
      await held
        .set({ status: 'failed', next_attempt_at: null, claimed_until: null, claim_token: null, last_error: reason, updated_at: at, completed_at: at })
        .execute();
    }
  }
}

/**
 * Moves each attempted delivery on (its status, next attempt, last answer), if its claim still
 * holds, in one statement for the whole batch: `UPDATE … FROM (VALUES …)`, which SQLite (3.33+)
 * and PostgreSQL both have, and where both name the columns column1, column2, …. The casts
 * give PostgreSQL the types its parameters would otherwise lack.
 */
async function moveOn(trx: Db, attempted: Extract<Outcome, { kind: 'attempted' }>[]): Promise<void> {
  if (attempted.length === 0) return;
  const rows = attempted.map(
    ({ claim, attempt, next }) =>
      sql`(${claim.id}, ${claim.claim_token}, ${next.status}, ${attempt.url}, cast(${next.nextAttemptAt} as bigint), cast(${attempt.statusCode} as integer), cast(${attempt.error} as text), cast(${attempt.at} as bigint), cast(${next.status === 'pending' ? null : attempt.at} as bigint))`,
  );
  await sql`
    update webhook_deliveries set
      status = v.column3, url = v.column4, attempt_count = attempt_count + 1, next_attempt_at = v.column5,
      claimed_until = null, claim_token = null, last_status_code = v.column6, last_error = v.column7,
      updated_at = v.column8, completed_at = v.column9
    from (values ${sql.join(rows)}) as v
    where webhook_deliveries.id = v.column1 and webhook_deliveries.claim_token = v.column2`.execute(trx);
}
