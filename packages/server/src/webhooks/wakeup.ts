import type pg from 'pg';
import { pg as loadPg } from '../lib/lazy.ts';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { CoalescedPass } from '../lib/coalesce.ts';

const CHANNEL = 'relink_webhooks';

/**
 * Wakes the dispatchers of other server instances when this process commits deliverable work,
 * so latency is not bounded by the poll interval: PostgreSQL NOTIFY after commit, LISTEN on a
 * dedicated connection. Where the database cannot notify, instances fall back to polling.
 */
export class Wakeup {
  private listener: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly notifications: CoalescedPass;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {
    this.notifications = new CoalescedPass(async () => void (await sql`select pg_notify(${CHANNEL}, '')`.execute(this.database.db)), {
      stopped: () => this.closed,
      onError: (error) => this.logger.warn({ err: error }, 'webhook wake-up notify failed; other instances will poll'),
    });
  }

  /** Tells every listening instance to look for due deliveries. Coalesced; never throws. */
  notify(): void {
    if (!this.database.capabilities.notify || this.closed) return;
    void this.notifications.run();
  }

  /** Listens for other instances' notifications; reconnects when called again after a loss. */
  listen(onWake: () => void): Promise<void> {
    const pool = this.database.setup.pool;
    if (!this.database.capabilities.notify || !pool || this.listener || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      // Its own connection, configured like the pool's but outside it: a connection held by
      // LISTEN must not keep the pool from closing.
      const client = new (loadPg().Client)(pool.options);
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      const lost = (error?: unknown) => {
        if (this.listener !== client) return;
        this.listener = undefined;
        if (error) this.logger.warn({ err: error }, 'webhook LISTEN connection lost; polling until it is back');
        void client.end().catch(() => {});
      };
      client.on('notification', () => onWake());
      client.on('error', lost);
      client.on('end', () => lost());
      this.listener = client;
    })()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook LISTEN failed; polling instead'))
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    await this.notifications.settled();
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => {});
  }
}
