import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { Vault } from '../vault/vault.ts';

const KEEP_MS = 24 * 60 * 60_000;
/** A request still marked pending after this is taken to have died with its process. */
const LOCK_MS = 2 * 60_000;
/** Expired rows are swept at most this often per process, by whichever request comes next. */
const SWEEP_EVERY_MS = 60_000;
/** A stored answer that holds a secret is kept in the vault; the row holds this and its id. */
const SEALED = 'vault:';

export type Begin = { kind: 'proceed' } | { kind: 'replay'; status: number; body: string } | { kind: 'conflict'; message: string };

/**
 * Idempotency-Key (docs/contract.md §1): the first request with a key claims it with one insert (the
 * primary key makes concurrent claims exclusive); repeats with the same body replay the stored
 * answer for 24 h, a different body is a conflict, and a repeat while the first is still
 * running is a conflict rather than a second effect. Kept in the database, so it holds across
 * server instances.
 */
export class Idempotency {
  private sweptAt = 0;

  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
    private readonly clock: Clock,
  ) {}

  async begin(appId: string, key: string, requestHash: string): Promise<Begin> {
    await this.sweep();
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.clock.now();
      try {
        await this.db
          .insertInto('idempotency_keys')
          .values({
            app_id: appId,
            key,
            request_hash: requestHash,
            status: 'pending',
            response_status: null,
            response_body: null,
            locked_until: now + LOCK_MS,
            expires_at: now + KEEP_MS,
            created_at: now,
          })
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
        if (existing.status === 'done') return { kind: 'replay', status: existing.response_status!, body: await this.storedBody(existing.response_body) };
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

  /**
   * Stores the answer to replay. `sealed` answers (a secret shown once) go into the vault, so
   * the database never holds them in the clear, and leave it when the key expires.
   */
  async finish(appId: string, key: string, status: number, body: string, sealed = false): Promise<void> {
    const stored = sealed ? SEALED + (await this.vault.seal('idempotent-response', body)) : body;
    await this.db
      .updateTable('idempotency_keys')
      .set({ status: 'done', response_status: status, response_body: stored })
      .where('app_id', '=', appId)
      .where('key', '=', key)
      .execute();
  }

  /** Forgets a claim whose request failed on the server side, so the client may retry it. */
  async abandon(appId: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('app_id', '=', appId).where('key', '=', key).where('status', '=', 'pending').execute();
  }

  private async storedBody(stored: string | null): Promise<string> {
    if (stored === null) return '';
    return stored.startsWith(SEALED) ? this.vault.open(stored.slice(SEALED.length)) : stored;
  }

  /** Deletes expired keys, and the vault records of sealed answers with them. */
  private async sweep(): Promise<void> {
    const now = this.clock.now();
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    await this.db.transaction().execute(async (trx) => {
      const sealed = await trx
        .selectFrom('idempotency_keys')
        .select('response_body')
        .where('expires_at', '<=', now)
        .where('response_body', 'like', `${SEALED}%`)
        .execute();
      for (const row of sealed) await this.vault.remove(row.response_body!.slice(SEALED.length), trx);
      await trx.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute();
    });
  }
}
