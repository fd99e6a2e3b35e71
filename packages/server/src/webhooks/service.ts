import type { AccountIncomeData, DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent } from '@relink/contract';
import type { Logger } from 'pino';
import type { Account } from '../accounts/model.ts';
import type { AccountService } from '../accounts/service.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { EventType, Events } from '../events/events.ts';
import type { Clock } from '../lib/clock.ts';
import { newWebhookSecret } from '../lib/ids.ts';
import type { Vault } from '../vault/vault.ts';
import type { DeliveryBacklog, Metrics } from '../metrics/metrics.ts';
import { Dispatcher } from './dispatcher.ts';
import type { AppMode } from '../apps/service.ts';
import { EgressGuard } from './egress.ts';
import { type DeliveryFilter, FAILURE_COUNT_CAP, OperatorStore } from './operator_store.ts';
import { accountEventData } from './payloads.ts';
import { enqueueDelivery } from '../events/outbox.ts';
import { DeliveryStore } from './store.ts';
import { deliveryView, eventView } from './views.ts';
import { Wakeup } from './wakeup.ts';

/** How long the previous secret keeps signing after a rotation (Standard Webhooks: zero-downtime rotation). */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

export interface WebhookDeps {
  config: Config;
  database: Database;
  vault: Vault;
  events: Events;
  accounts: AccountService;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** `mono.events.account_income`'s data for an account, for the sandbox's fire helper (`InsightsService.incomeEventData`). */
  incomeEventData: (account: Account) => Promise<AccountIncomeData>;
}

export interface PageRequest {
  page: number;
  limit: number;
}

/** A delivery as an operator sees it: a partner's view, with its app and the account its event is about. */
export interface OperatorDelivery extends WebhookDelivery {
  app_id: string;
  account: string | null;
}

/** What became of one delivery an operator replayed. */
export type ReplayResult = { id: string; result: 'queued'; delivery: WebhookDelivery } | { id: string; result: 'not_found' | 'not_configured' };

/** How delivery to one app's webhook URL goes; times are ISO 8601, null when it never happened. */
export interface EndpointHealth {
  app_id: string;
  app_name: string;
  mode: 'test' | 'live';
  url: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_success_at: string | null;
  /** Attempts since the last success (every attempt when none succeeded). */
  consecutive_failures: number;
  /** The count stopped at its cap (10,000): there were at least that many. */
  consecutive_failures_capped: boolean;
  /** Deliveries waiting: `pending` (not attempted yet) and `failing` (attempted, to be retried), as the delivery states. */
  pending: number;
  failing: number;
  /** The earliest next attempt among them. */
  oldest_due_at: string | null;
}

/** Webhooks for one process: the dispatcher, and what operators may see and do. */
export class WebhookService {
  readonly guard: EgressGuard;
  readonly dispatcher: Dispatcher;
  private readonly store: OperatorStore;
  private readonly wakeup: Wakeup;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: WebhookDeps) {
    const { database, clock, vault, logger, config, metrics } = deps;
    this.store = new OperatorStore(database.db);
    this.guard = new EgressGuard({ allowLoopback: config.webhook.allowLoopback });
    this.wakeup = new Wakeup(database, logger);
    const deliveries = new DeliveryStore(database.db, database.capabilities);
    this.dispatcher = new Dispatcher(deliveries, {
      config: config.webhook,
      clock,
      vault,
      guard: this.guard,
      wakeup: this.wakeup,
      logger,
      metrics,
      outbox: deps.events,
    });
    this.unsubscribe = deps.events.onCommitted(() => this.announce());
  }

  /** New deliverable work was committed: look for it here, and tell the other instances. */
  announce(): void {
    this.dispatcher.wake();
    this.wakeup.notify();
  }

  /** Every app's undelivered work, for `GET /metrics`: the same figure whichever instance reads it. */
  async backlog(): Promise<DeliveryBacklog> {
    const now = this.deps.clock.now();
    const { pending, failing, earliestDue } = await this.store.backlog();
    return { pending, failing, oldestDueSeconds: earliestDue !== null && earliestDue <= now ? (now - earliestDue) / 1000 : 0 };
  }

  async events(appId: string, page: PageRequest): Promise<{ items: WebhookEvent[]; total: number }> {
    const { rows, total } = await this.store.events(appId, offsetOf(page));
    return { items: rows.map(eventView), total };
  }

  /** A page of the app's deliveries, newest first, each with its attempts. */
  async deliveries(appId: string, filter: { status?: DeliveryState | undefined; eventId?: string | undefined }, page: PageRequest) {
    const { rows, total } = await this.store.deliveries({ appId, state: filter.status, eventId: filter.eventId }, offsetOf(page));
    const attempts = await this.store.attempts(rows.map((r) => r.id));
    return { items: rows.map((row) => deliveryView(row, attempts)), total };
  }

  /**
   * Operator scope: a page of deliveries of every app (or the one `filter.appId` names), newest
   * first, each with its attempts, its app and the account its event is about.
   */
  async operatorDeliveries(filter: DeliveryFilter, page: PageRequest): Promise<{ items: OperatorDelivery[]; total: number }> {
    const { rows, total } = await this.store.deliveries(filter, offsetOf(page));
    const attempts = await this.store.attempts(rows.map((r) => r.id));
    return { items: rows.map((row) => ({ ...deliveryView(row, attempts), app_id: row.app_id, account: row.account_id })), total };
  }

  /** Operator scope: one delivery of any app, with its attempts, its app and its event's account. */
  async operatorDelivery(id: string): Promise<OperatorDelivery | undefined> {
    const row = await this.store.delivery(undefined, id);
    return row && { ...deliveryView(row, await this.store.attempts([row.id])), app_id: row.app_id, account: row.account_id };
  }

  async delivery(appId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.store.delivery(appId, id);
    return row && deliveryView(row, await this.store.attempts([row.id]));
  }

  /** A new delivery of the same event to the app's current URL; the event id does not change. */
  async replay(appId: string, id: string): Promise<WebhookDelivery | 'not_found' | 'not_configured'> {
    const original = await this.store.delivery(appId, id);
    if (!original) return 'not_found';
    return this.deliverAgain(appId, original.event_id, original.id);
  }

  /** Operator scope: replays each delivery, of whichever app, and says what became of each, in order. */
  async replayMany(ids: string[]): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    for (const id of ids) {
      const original = await this.store.delivery(undefined, id);
      const result = original ? await this.deliverAgain(original.app_id, original.event_id, original.id) : 'not_found';
      results.push(typeof result === 'string' ? { id, result } : { id, result: 'queued', delivery: result });
    }
    return results;
  }

  /**
   * Operator scope: every app with a webhook URL, and how delivery to it goes: its newest
   * attempt, its last success, the attempts that failed since (counted up to
   * `FAILURE_COUNT_CAP`), and what waits to be delivered. One query per app for the attempts.
   */
  async endpointsHealth(): Promise<EndpointHealth[]> {
    const [apps, backlog] = await Promise.all([this.store.endpoints(), this.store.backlogByApp()]);
    const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
    const out: EndpointHealth[] = [];
    for (const app of apps) {
      const health = await this.store.endpointHealth(app.id);
      const waiting = backlog.get(app.id);
      out.push({
        app_id: app.id,
        app_name: app.name,
        mode: app.mode,
        url: app.webhook_url!,
        disabled_at: iso(app.webhook_disabled_at),
        disabled_reason: app.webhook_disabled_reason,
        last_attempt_at: iso(health.last?.attempted_at),
        last_status_code: health.last?.status_code ?? null,
        last_error: health.last?.error ?? null,
        last_success_at: iso(health.lastSuccessAt),
        consecutive_failures: health.failures,
        consecutive_failures_capped: health.failures >= FAILURE_COUNT_CAP,
        pending: (waiting?.pending ?? 0) - (waiting?.failing ?? 0),
        failing: waiting?.failing ?? 0,
        oldest_due_at: iso(waiting?.earliestDue),
      });
    }
    return out;
  }

  /**
   * A delivery of any of the app's events, by event id: also for events recorded while the
   * app had no enabled webhook URL, which have no delivery to replay.
   */
  async replayEvent(appId: string, eventId: string): Promise<WebhookDelivery | 'not_found' | 'not_configured'> {
    const event = await this.store.event(appId, eventId);
    if (!event) return 'not_found';
    return this.deliverAgain(appId, event.id, null);
  }

  private async deliverAgain(appId: string, eventId: string, replayOf: string | null): Promise<WebhookDelivery | 'not_configured'> {
    const deliveryId = await enqueueDelivery(this.deps.database.db, { id: eventId, appId, createdAt: this.deps.clock.now(), replayOf });
    if (!deliveryId) return 'not_configured';
    this.announce();
    return (await this.delivery(appId, deliveryId))!;
  }

  async endpoint(appId: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.store.endpoint(appId);
    if (!row) return undefined;
    const now = this.deps.clock.now();
    const previous = row.previous_webhook_secret_id && (row.previous_webhook_secret_expires_at ?? 0) > now ? row.previous_webhook_secret_expires_at : null;
    return {
      url: row.webhook_url,
      disabled_at: row.webhook_disabled_at === null ? null : new Date(row.webhook_disabled_at).toISOString(),
      disabled_reason: row.webhook_disabled_reason,
      previous_secret_expires_at: previous ? new Date(previous).toISOString() : null,
    };
  }

  /** Sets the URL, re-enables delivery and issues a new secret (the old one signs for 24 h more). */
  async setEndpoint(appId: string, mode: AppMode, url: string): Promise<{ refused: string } | { secret: string; previousExpiresAt: number | null }> {
    const refused = this.guard.checkUrl(url, mode);
    if (refused) return { refused };
    const rotated = await this.rotateSecret(appId, { webhook_url: url, webhook_disabled_at: null, webhook_disabled_reason: null });
    return rotated ?? { refused: 'the app no longer exists' };
  }

  /**
   * Issues a new webhook secret. The previous one keeps signing (a second `v1,` signature) until
   * it expires, so receivers can switch without dropping a delivery; `mono-webhook-secret`
   * carries the new one at once. The update is guarded on the secret it replaces.
   */
  async rotateSecret(appId: string, changes: { webhook_url?: string; webhook_disabled_at?: null; webhook_disabled_reason?: null } = {}) {
    const { database, vault, clock } = this.deps;
    for (let tries = 0; tries < 3; tries++) {
      const row = await this.store.endpoint(appId);
      if (!row) return undefined;
      const secret = newWebhookSecret();
      const now = clock.now();
      const previousExpiresAt = row.webhook_secret_id ? now + PREVIOUS_SECRET_TTL_MS : null;
      const swapped = await database.db
        .transaction()
        .execute(async (trx) => {
          const id = await vault.seal('webhook_secret', secret, trx);
          const ok = await this.store.updateEndpoint(
            appId,
            row.webhook_secret_id,
            {
              ...changes,
              webhook_secret_id: id,
              previous_webhook_secret_id: row.webhook_secret_id,
              previous_webhook_secret_expires_at: previousExpiresAt,
              updated_at: now,
            },
            trx,
          );
          if (!ok) throw new RotationRace();
          if (row.previous_webhook_secret_id) await vault.remove(row.previous_webhook_secret_id, trx);
          return true;
        })
        .catch((error: unknown) => {
          if (error instanceof RotationRace) return false;
          throw error;
        });
      if (swapped) return { secret, previousExpiresAt };
    }
    throw new Error('webhook secret rotation kept racing with another rotation');
  }

  /** Sandbox: records `type` for one of the app's live accounts, as a real state change would. */
  async fire(appId: string, type: EventType, accountId: string) {
    const { events, accounts } = this.deps;
    const account = await accounts.find(appId, accountId);
    if (!account) return undefined;
    const data = type === 'mono.events.account_income' ? await this.deps.incomeEventData(account) : accountEventData(type, account);
    const event = await events.transaction((trx) => events.record(trx, { appId, type, accountId, data }));
    return { eventId: event.id, deliveryId: event.deliveryId };
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.dispatcher.stop();
    await this.wakeup.close();
    await this.guard.close();
  }
}

class RotationRace extends Error {}

function offsetOf(page: PageRequest) {
  return { limit: page.limit, offset: (page.page - 1) * page.limit };
}
