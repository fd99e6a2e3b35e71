import { EventEmitter } from 'node:events';
import { EVENT_NAMES, type EventName } from '@relink/contract/names';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { newEventId } from '../lib/ids.ts';
import { awaitingRetry, enqueueDelivery, type Handoff, type OutboxTransaction } from './outbox.ts';

/** The event names, one list for server and SDK (`@relink/contract`). */
export const EVENT_TYPES = EVENT_NAMES;
export type EventType = EventName;

export interface RecordedEvent {
  id: string;
  appId: string;
  type: EventType;
  accountId: string | null;
  /** The exact JSON delivered to the webhook: `{event, event_id, timestamp, data}`. */
  body: string;
  createdAt: number;
  /** The webhook delivery queued with it, or null when the app has no enabled webhook URL. */
  deliveryId: string | null;
}

/**
 * The transactional outbox's writing side. `record` must run inside the transaction of the
 * change that causes the event, so the two commit or vanish together; `committed` is called
 * after that transaction commits and wakes whoever delivers events (no polling delay).
 */
export class Events {
  private readonly emitter = new EventEmitter();
  /** Each open `transaction`'s apps' endpoints (read at most once) and the deliveries it claimed for this process. */
  private readonly outboxes = new WeakMap<Db, OutboxTransaction>();
  /** This process's running dispatcher, which takes the deliveries its transactions queue. */
  private handoff: Handoff | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.emitter.setMaxListeners(100);
  }

  async record(executor: Db, input: { appId: string; type: EventType; accountId?: string | null; data: unknown }): Promise<RecordedEvent> {
    const id = newEventId();
    const createdAt = this.clock.now();
    const body = JSON.stringify({ event: input.type, event_id: id, timestamp: new Date(createdAt).toISOString(), data: input.data });
    await executor
      .insertInto('events')
      .values({ id, app_id: input.appId, type: input.type, account_id: input.accountId ?? null, body, created_at: createdAt })
      .execute();
    const deliveryId = await enqueueDelivery(executor, { id, appId: input.appId, createdAt, body }, this.outboxes.get(executor));
    return { id, appId: input.appId, type: input.type, accountId: input.accountId ?? null, body, createdAt, deliveryId };
  }

  /**
   * Records the event unless the same one (type, account, and `data` alike), among the account's
   * ten latest of that type, has already failed to reach the app's webhook and waits for its
   * next try: that delivery will bring the receiver this very data, after this call. So a client repeating a request that sends an event, while
   * its receiver is down, queues one delivery, not one per request; a receiver that is up gets
   * one event per request. Undefined when nothing was recorded.
   */
  async recordUnlessAwaitingRetry(
    executor: Db,
    input: { appId: string; type: EventType; accountId: string; data: unknown },
  ): Promise<RecordedEvent | undefined> {
    const data = JSON.stringify(input.data);
    const waiting = await awaitingRetry(executor, { appId: input.appId, accountId: input.accountId, type: input.type, now: this.clock.now() });
    if (waiting.some((body) => JSON.stringify((JSON.parse(body) as { data: unknown }).data) === data)) return undefined;
    return this.record(executor, input);
  }

  /**
   * Runs `work` in one transaction and announces its events once it has committed: the one way
   * writers record events, so none can forget to wake the dispatcher after its commit.
   */
  async transaction<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    const outbox: OutboxTransaction = { endpoints: new Map(), handoff: this.handoff, handed: [] };
    let result: T;
    try {
      result = await this.db.transaction().execute((trx) => {
        this.outboxes.set(trx, outbox);
        return work(trx);
      });
    } catch (error) {
      if (outbox.handed.length > 0) outbox.handoff!.release(outbox.handed);
      throw error;
    }
    if (outbox.handed.length > 0) outbox.handoff!.adopt(outbox.handed);
    this.committed();
    return result;
  }

  /** The dispatcher that takes this process's deliveries as their transactions commit; undefined stops the handoff. */
  handOffTo(handoff: Handoff | undefined): void {
    this.handoff = handoff;
  }

  /** Signals that events were committed. Listeners must not throw. */
  committed(): void {
    this.emitter.emit('committed');
  }

  onCommitted(listener: () => void): () => void {
    this.emitter.on('committed', listener);
    return () => this.emitter.off('committed', listener);
  }
}
