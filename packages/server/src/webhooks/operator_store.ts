import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AppUpdate, DeliveryStatus } from '../db/schema.ts';

export interface Page {
  limit: number;
  offset: number;
}

/** What operators read and change: events, deliveries and attempts of one app, and its endpoint. */
export class OperatorStore {
  constructor(private readonly db: Db) {}

  async events(appId: string, page: Page) {
    const base = this.db.selectFrom('events').where('app_id', '=', appId);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  async deliveries(appId: string, filter: { status?: DeliveryStatus | undefined; eventId?: string | undefined }, page: Page) {
    const base = this.deliveryRows(appId)
      .$if(filter.status !== undefined, (q) => q.where('d.status', '=', filter.status!))
      .$if(filter.eventId !== undefined, (q) => q.where('d.event_id', '=', filter.eventId!));
    const [rows, total] = await Promise.all([
      base
        .selectAll('d')
        .select('e.type as event_type')
        .orderBy('d.created_at', 'desc')
        .orderBy('d.id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  event(appId: string, id: string) {
    return this.db.selectFrom('events').select('id').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  }

  delivery(appId: string, id: string) {
    return this.deliveryRows(appId).selectAll('d').select('e.type as event_type').where('d.id', '=', id).executeTakeFirst();
  }

  attempts(deliveryIds: string[]) {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('attempted_at').orderBy('id').execute();
  }

  endpoint(appId: string) {
    return this.db
      .selectFrom('apps')
      .select([
        'mode',
        'webhook_url',
        'webhook_disabled_at',
        'webhook_disabled_reason',
        'webhook_secret_id',
        'previous_webhook_secret_id',
        'previous_webhook_secret_expires_at',
      ])
      .where('id', '=', appId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /**
   * Every app's pending deliveries: how many, how many of them failed their last attempt, and
   * the earliest next attempt. One statement over the index of pending rows (migration 0009:
   * `pending` is a literal so the partial index applies); a delivered row is not in it.
   */
  async backlog(): Promise<{ pending: number; failing: number; earliestDue: number | null }> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('pending'),
        eb.fn.countAll<number | string>().filterWhere('attempt_count', '>', 0).as('failing'),
        eb.fn.min<number | string | null>('next_attempt_at').as('earliest'),
      ])
      .where('status', '=', sql.lit('pending'))
      .executeTakeFirstOrThrow();
    return { pending: Number(row.pending), failing: Number(row.failing), earliestDue: row.earliest === null ? null : Number(row.earliest) };
  }

  /** An app's deliveries, each joined to its event. */
  private deliveryRows(appId: string) {
    return this.db.selectFrom('webhook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id').where('d.app_id', '=', appId);
  }

  /** Changes the app's webhook columns if its current secret is still `expectedSecretId`. */
  async updateEndpoint(appId: string, expectedSecretId: string | null, changes: AppUpdate, executor: Db = this.db): Promise<boolean> {
    const result = await executor
      .updateTable('apps')
      .set(changes)
      .where('id', '=', appId)
      .where('deleted_at', 'is', null)
      .where((eb) => (expectedSecretId === null ? eb('webhook_secret_id', 'is', null) : eb('webhook_secret_id', '=', expectedSecretId)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
