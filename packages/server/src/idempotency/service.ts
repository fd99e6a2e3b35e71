import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';

const KEEP_MS = 24 * 60 * 60_000;
/** A request still marked pending after this is taken to have died with its process. */
const LOCK_MS = 2 * 60_000;

export type Begin =
  | { kind: 'proceed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'conflict'; message: string };

/**
 * Idempotency-Key (CONTRACT §1): the first request with a key claims it with one insert (the
 * primary key makes concurrent claims exclusive); repeats with the same body replay the stored
 * answer for 24 h, a different body is a conflict, and a repeat while the first is still
 * running is a conflict rather than a second effect. Kept in the database, so it holds across
 * server instances.
 */
export class Idempotency {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async begin(appId: string, key: string, requestHash: string): Promise<Begin> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.clock.now();
      try {
        await this.db
          .insertInto('idempotency_keys')
          .values({ app_id: appId, key, request_hash: requestHash, status: 'pending', response_status: null, response_body: null, locked_until: now + LOCK_MS, expires_at: now + KEEP_MS, created_at: now })
          .execute();
        return { kind: 'proceed' };
      } catch (error) {
        const existing = await this.db.selectFrom('idempotency_keys').selectAll().where('app_id', '=', appId).where('key', '=', key).executeTakeFirst();
        if (!existing) throw error;
        if (existing.expires_at <= now) {
          await this.db.deleteFrom('idempotency_keys').where('app_id', '=', appId).where('key', '=', key).where('expires_at', '<=', now).execute();
          continue;
        }
        if (existing.request_hash !== requestHash) {
          return { kind: 'conflict', message: 'This Idempotency-Key was already used with a different request' };
        }
        if (existing.status === 'done') return { kind: 'replay', status: existing.response_status!, body: existing.response_body ?? '' };
        if (existing.locked_until < now) {
          const taken = await this.db
            .updateTable('idempotency_keys')
            .set({ locked_until: now + LOCK_MS })
            .where('app_id', '=', appId)
            .where('key', '=', key)
            .where('status', '=', 'pending')
            .where('locked_until', '=', existing.locked_until)
            .executeTakeFirst();
          if (Number(taken.numUpdatedRows) === 1) return { kind: 'proceed' };
        }
        return { kind: 'conflict', message: 'A request with this Idempotency-Key is still in progress; retry when it has finished' };
      }
    }
    return { kind: 'conflict', message: 'This Idempotency-Key could not be claimed; retry' };
  }

  async finish(appId: string, key: string, status: number, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status: 'done', response_status: status, response_body: body })
      .where('app_id', '=', appId)
      .where('key', '=', key)
      .execute();
  }

  /** Forgets a claim whose request failed on the server side, so the client may retry it. */
  async abandon(appId: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('app_id', '=', appId).where('key', '=', key).where('status', '=', 'pending').execute();
  }
}
