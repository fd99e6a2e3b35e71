import type { Db } from '../db/database.ts';
import type { InstitutionRegistry } from '../institutions/registry.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import type { WebhookService } from '../webhooks/service.ts';
import { dailySeries, windowHealth } from './health.ts';
import type {
  AccountDetail,
  AccountFilter,
  DeliveryFilter,
  EndpointHealth,
  OperatorAccount,
  OperatorDelivery,
  Paged,
  PageRequest,
  ReauthHealth,
  ReplayResult,
} from './model.ts';
import { type AccountListRow, OperationsStore } from './store.ts';
import { episodeViews, timeline } from './timeline.ts';

/** An account's timeline shows its newest this many events (and their deliveries), sessions and real-time jobs. */
export const TIMELINE_EVENTS = 500;
const TIMELINE_SESSIONS = 200;
const TIMELINE_JOBS = 200;
/** A delivery list or a replay takes at most this many rows or ids at once. */
export const MAX_PAGE = 500;
/**
 * `reauthHealth` computes in memory from the episodes that began or ended in its longest window,
 * at most this many (newest first; `truncated` says when there were more): some 100 bytes each.
 */
export const MAX_EPISODES = 200_000;
/** The daily series' length. */
export const SERIES_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface OperationsDeps {
  db: Db;
  institutions: InstitutionRegistry;
  webhooks: WebhookService;
  clock: Clock;
}

/**
 * What an operator of this Relink reads and does, across every app (no partner's scope): the
 * accounts and their timelines, re-authorisation health, webhook deliveries and endpoints,
 * and replays. Behind `relink accounts …` and `relink webhooks …`, and the console.
 */
export class OperationsService {
  private readonly store: OperationsStore;

  constructor(private readonly deps: OperationsDeps) {
    this.store = new OperationsStore(deps.db);
  }

  /** A page of accounts that `filter` selects, newest link first. */
  async accounts(filter: AccountFilter, page: PageRequest): Promise<Paged<OperatorAccount>> {
    const { page: n, limit } = bounded(page);
    const institutionIds = filter.institution === undefined ? undefined : this.institutionIds(filter.institution);
    const { rows, total } = await this.store.accounts({ ...filter, institutionIds }, { limit, offset: (n - 1) * limit });
    return { items: rows.map((row) => this.accountView(row)), total, page: n, limit };
  }

  /** Any app's account, unlinked too, with its re-authorisation episodes and its timeline; undefined when unknown. */
  async account(id: string): Promise<AccountDetail | undefined> {
    const row = await this.store.account(id);
    if (!row) return undefined;
    const [episodes, sessions, events, jobs] = await Promise.all([
      this.store.episodesOf(id),
      this.store.sessionsOf(id, TIMELINE_SESSIONS),
      this.store.eventsOf(id, TIMELINE_EVENTS + 1),
      this.store.realtimeJobsOf(id, TIMELINE_JOBS),
    ]);
    const shown = events.slice(0, TIMELINE_EVENTS);
    const { items: deliveries } = await this.deps.webhooks.operatorDeliveries(
      { eventIds: shown.map((e) => e.id) },
      { page: 1, limit: Math.max(1, shown.length * 4) },
    );
    return {
      account: this.accountView(row),
      episodes: episodeViews(episodes, sessions, this.deps.clock.now()),
      timeline: timeline({ account: row, episodes, sessions, events: shown, deliveries, jobs }),
      events_truncated: events.length > TIMELINE_EVENTS,
    };
  }

  /**
   * Re-authorisation health at `now` (the clock's by default): accounts linked and waiting
   * now; for each window of days (7 and 30 by default), the episodes that began and ended in it,
   * the share re-authorised, the median and 90th percentile time to re-authorise, by reason and
   * institution, and how far people got; and a daily series for the last 30 days.
   */
  async reauthHealth(options: { now?: number; windows?: number[] } = {}): Promise<ReauthHealth> {
    const now = options.now ?? this.deps.clock.now();
    const windows = (options.windows ?? [7, 30]).filter((d) => Number.isInteger(d) && d > 0 && d <= 366);
    const longest = Math.max(SERIES_DAYS, ...windows);
    const [counts, episodes] = await Promise.all([this.store.accountCounts(), this.store.episodesSince(now - longest * DAY_MS, MAX_EPISODES + 1)]);
    const considered = episodes.slice(0, MAX_EPISODES);
    const name = (id: string) => this.deps.institutions.get(id)?.name ?? id;
    return {
      now: new Date(now).toISOString(),
      accounts: { linked: counts.linked, waiting: Object.values(counts.waiting).reduce((a, b) => a + b, 0), waiting_by_reason: counts.waiting },
      windows: windows.map((days) => windowHealth(considered, now, days, name)),
      series: dailySeries(considered, now, SERIES_DAYS),
      truncated: episodes.length > MAX_EPISODES,
    };
  }

  /** A page of deliveries of every app (or one), newest first, in one state if asked (`failing` included). */
  async deliveries(filter: DeliveryFilter, page: PageRequest): Promise<Paged<OperatorDelivery>> {
    const { page: n, limit } = bounded(page);
    const { items, total } = await this.deps.webhooks.operatorDeliveries(filter, { page: n, limit });
    return { items, total, page: n, limit };
  }

  /** One delivery of any app, with every attempt (status code, duration, error, the answer's first bytes); undefined when unknown. */
  delivery(id: string): Promise<OperatorDelivery | undefined> {
    return this.deps.webhooks.operatorDelivery(id);
  }

  /** Every app's webhook endpoint and how delivery to it goes. */
  endpoints(): Promise<EndpointHealth[]> {
    return this.deps.webhooks.endpointsHealth();
  }

  /** Sends each delivery's event again to its app's current URL (at most MAX_PAGE ids); says what became of each. */
  replay(ids: string[]): Promise<ReplayResult[]> {
    if (ids.length > MAX_PAGE) throw new DomainError('INVALID_INPUT', `replay at most ${MAX_PAGE} deliveries at once (got ${ids.length})`);
    return this.deps.webhooks.replayMany([...new Set(ids)]);
  }

  private institutionIds(text: string): string[] {
    const wanted = text.trim().toLowerCase();
    return this.deps.institutions
      .all()
      .filter((i) => i.id.toLowerCase() === wanted || i.name.toLowerCase().includes(wanted))
      .map((i) => i.id);
  }

  private accountView(row: AccountListRow): OperatorAccount {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: row.id,
      app_id: row.app_id,
      app_name: row.app_name,
      customer_id: row.customer_id,
      institution: { id: row.institution_id, name: this.deps.institutions.get(row.institution_id)?.name ?? row.institution_id },
      name: row.name,
      account_number: row.account_number,
      type: row.type,
      currency: row.currency,
      data_status: row.data_status,
      linked_at: new Date(row.created_at).toISOString(),
      last_synced_at: iso(row.last_synced_at),
      last_sync_error: row.last_sync_error,
      reauth_required: row.reauth_required === 1,
      reauth_required_at: iso(row.reauth_required_at),
      reauth_cause: row.reauth_cause,
      unlinked_at: iso(row.unlinked_at),
    };
  }
}

function bounded(page: PageRequest): PageRequest {
  const n = Number.isInteger(page.page) && page.page >= 1 ? Math.min(page.page, 1_000_000) : 1;
  const limit = Number.isInteger(page.limit) && page.limit >= 1 ? Math.min(page.limit, MAX_PAGE) : 50;
  return { page: n, limit };
}
