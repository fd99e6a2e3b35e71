import type { DeliveryState } from '@relink/contract';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AppUpdate, DeliveryStatus } from '../db/schema.ts';

export interface Page {
  limit: number;
  offset: number;
}

/** Which deliveries a list holds: of one app (every app when absent), in one state, of one event or of several. */
export interface DeliveryFilter {
  appId?: string | undefined;
  state?: DeliveryState | undefined;
  eventId?: string | undefined;
  eventIds?: string[] | undefined;
}

/** An endpoint's attempts as its health reads them (`OperatorStore.endpointHealth`). */
export interface EndpointRow {
  id: string;
  name: string;
  mode: 'test' | 'live';
  webhook_url: string | null;
  webhook_disabled_at: number | null;
  webhook_disabled_reason: string | null;
}

/** Counting failures since an endpoint's last success stops here: an operator reads "10000 or more". */
export const FAILURE_COUNT_CAP = 10_000;

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

  async deliveries(filter: DeliveryFilter, page: Page) {
    const base = this.deliveryRows()
      .$if(filter.appId !== undefined, (q) => q.where('d.app_id', '=', filter.appId!))
      .$if(filter.eventId !== undefined, (q) => q.where('d.event_id', '=', filter.eventId!))
      .$if(filter.eventIds !== undefined, (q) => q.where('d.event_id', 'in', filter.eventIds!.length > 0 ? filter.eventIds! : ['']))
      // `failing` and `pending` are one stored status told apart by the attempt count, which the
      // statement that records an attempt moves (`webhooks/store.ts`): they cannot drift apart.
      // `pending` and the count are literals, so the partial indexes (0009, 0020) apply.
      .$if(filter.state === 'pending' || filter.state === 'failing', (q) => q.where('d.status', '=', sql.lit('pending')))
      .$if(filter.state === 'pending', (q) => q.where('d.attempt_count', '=', sql.lit(0)))
      .$if(filter.state === 'failing', (q) => q.where('d.attempt_count', '>', sql.lit(0)))
      .$if(filter.state === 'succeeded' || filter.state === 'failed', (q) => q.where('d.status', '=', filter.state as DeliveryStatus));
    const [rows, total] = await Promise.all([
      base
        .selectAll('d')
        .select(['e.type as event_type', 'e.account_id'])
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

  /** One delivery, of `appId` when given (a partner), else of any app (an operator). */
  delivery(appId: string | undefined, id: string) {
    return this.deliveryRows()
      .selectAll('d')
      .select(['e.type as event_type', 'e.account_id'])
      .where('d.id', '=', id)
      .$if(appId !== undefined, (q) => q.where('d.app_id', '=', appId!))
      .executeTakeFirst();
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

  /** Deliveries, each joined to its event. */
  private deliveryRows() {
    return this.db.selectFrom('webhook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id');
  }

  /** Every app that has or had a webhook URL, oldest first. */
  endpoints(): Promise<EndpointRow[]> {
    return this.db
      .selectFrom('apps')
      .select(['id', 'name', 'mode', 'webhook_url', 'webhook_disabled_at', 'webhook_disabled_reason'])
      .where('deleted_at', 'is', null)
      .where('webhook_url', 'is not', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /**
   * One endpoint's health from its attempts (index `webhook_attempts_app`, migration 0020): the
   * newest attempt, the newest that succeeded, and the attempts since that one (all of them
   * when none did), counted up to FAILURE_COUNT_CAP.
   */
  async endpointHealth(appId: string) {
    const attempts = this.db.selectFrom('webhook_attempts').where('app_id', '=', appId);
    const [last, success] = await Promise.all([
      attempts.select(['attempted_at', 'status_code', 'error']).orderBy('attempted_at', 'desc').limit(1).executeTakeFirst(),
      attempts
        .select('attempted_at')
        .where('status_code', '>=', 200)
        .where('status_code', '<', 300)
        .orderBy('attempted_at', 'desc')
        .limit(1)
        .executeTakeFirst(),
    ]);
    const since = success?.attempted_at ?? -1;
    const failures = await this.db
      .selectFrom((eb) =>
        eb.selectFrom('webhook_attempts').select('id').where('app_id', '=', appId).where('attempted_at', '>', since).limit(FAILURE_COUNT_CAP).as('f'),
      )
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return { last, lastSuccessAt: success?.attempted_at ?? null, failures: Number(failures.n) };
  }

  /** Each app's undelivered deliveries: how many, how many failing, the earliest due (the index of pending rows). */
  async backlogByApp(): Promise<Map<string, { pending: number; failing: number; earliestDue: number | null }>> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => [
        'app_id',
        eb.fn.countAll<number | string>().as('pending'),
        eb.fn.countAll<number | string>().filterWhere('attempt_count', '>', 0).as('failing'),
        eb.fn.min<number | string | null>('next_attempt_at').as('earliest'),
      ])
      .where('status', '=', sql.lit('pending'))
      .groupBy('app_id')
      .execute();
    return new Map(
      rows.map((r) => [r.app_id, { pending: Number(r.pending), failing: Number(r.failing), earliestDue: r.earliest === null ? null : Number(r.earliest) }]),
    );
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
