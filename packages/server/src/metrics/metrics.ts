import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReauthCause, SessionOrigin } from '../db/schema.ts';
import { promClient } from '../lib/lazy.ts';
import { askPrimary, isWorker } from '../lib/workers.ts';

/** What `GET /metrics` reports of the webhook backlog, read from the shared database at each scrape. */
export interface DeliveryBacklog {
  /** Deliveries not yet delivered nor given up (`pending`), waiting for a retry included. */
  pending: number;
  /** Of those, the ones whose last attempt failed. */
  failing: number;
  /** How long the longest-due pending delivery has been due, in seconds; 0 when none is due. */
  oldestDueSeconds: number;
}

export interface MetricsDeps {
  /** Reads the webhook backlog (`WebhookService.backlog`); called at each scrape. */
  backlog: () => Promise<DeliveryBacklog>;
  logger: Pick<Logger, 'warn'>;
}

export type SyncOutcome = 'synced' | 'reauth_required' | 'failed' | 'stale';
/** A webhook attempt's outcome: delivered (2xx), failed with a retry scheduled, failed for good, or ended without a request. */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'skipped';
/** The per-instance request limits (`limits/requests.ts`, `limits/widget.ts`). */
export type RateLimit = 'auth_failures' | 'session' | 'step' | 'widget_address' | 'widget_key';
/** The per-bank-user caps (`limits/bank_users.ts`). */
export type BankUserCap = 'login' | 'answer' | 'login_public' | 'answer_public';
/** How a re-authorisation episode ends: re-authorised, or the account unlinked or linked afresh while it waited. */
export type EpisodeEnd = 'completed' | 'unlinked' | 'relinked';
/** How a reauth session ends: completed, failed (the bank or the attempt caps), cancelled, or superseded by a newer start. */
export type SessionEnd = 'completed' | 'failed' | 'cancelled' | 'superseded';

/** A re-authorisation episode that has just ended, as the account kept it. */
export interface EndedEpisode {
  cause: ReauthCause;
  institution: string;
  /** From the sync that found it to its end, in seconds. */
  seconds: number;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Webhook retries run for about 30 hours by default (RELINK_WEBHOOK_RETRY_SCHEDULE). */
const DELIVERY = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, DAY, 2 * DAY];
/** People come back within minutes or after days. */
const EPISODE = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];

const PREFIX = 'relink_';

/**
 * The process's Prometheus series (docs/metrics.md lists each with what it means across
 * instances). Domain code reports what happened through the typed methods below and never
 * touches prom-client; `GET /metrics` (`metrics/routes/metrics.ts`) renders them.
 *
 * Counters and histograms count what this instance did, from its start; the webhook backlog is
 * read from the shared database at each scrape. prom-client is loaded and the series made on
 * first use: a one-shot `relink` command that reports nothing loads none of it.
 */
export class Metrics {
  private made: Instruments | undefined;

  constructor(private readonly deps: MetricsDeps) {}

  /**
   * A server starts measuring its process (CPU, memory, GC, event-loop lag) as it starts
   * serving. A worker of `--workers` also offers its series to the primary, which sums every
   * worker's for a scrape (`aggregateWorkers`).
   */
  start(): void {
    const process = processRegistry();
    if (isWorker()) {
      const { AggregatorRegistry } = promClient();
      new AggregatorRegistry(); // listens for the primary's requests for this worker's series
      AggregatorRegistry.setRegistries([this.instruments.registry, process]);
    }
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.instruments.http.observe({ method, route, status: String(status) }, seconds);
  }

  /** A sync moved an account into `reauth_required`: an episode begins (recorded once per episode). */
  reauthEpisodeStarted(cause: ReauthCause, institution: string): void {
    this.instruments.episodesStarted.inc({ reason: cause, institution });
  }

  reauthEpisodeEnded(episode: EndedEpisode, how: EpisodeEnd): void {
    const labels = { reason: episode.cause, institution: episode.institution };
    if (how === 'completed') {
      this.instruments.episodesCompleted.inc(labels);
      this.instruments.episodeSeconds.observe(labels, episode.seconds);
    } else {
      this.instruments.episodesAbandoned.inc({ ...labels, how });
    }
  }

  reauthSessionStarted(origin: SessionOrigin, institution: string): void {
    this.instruments.sessionsStarted.inc({ origin, institution });
  }

  reauthSessionEnded(origin: SessionOrigin, institution: string, how: SessionEnd): void {
    if (how === 'completed') this.instruments.sessionsCompleted.inc({ origin, institution });
    else this.instruments.sessionsAbandoned.inc({ origin, institution, how });
  }

  /** One account's sync, from its bank call to its writes (or to its failure). */
  syncFinished(outcome: SyncOutcome, seconds: number): void {
    this.instruments.sync.observe({ outcome }, seconds);
  }

  /** One webhook delivery attempt; a 2xx also gives the time from the delivery's creation (its event's commit). */
  webhookAttempted(outcome: AttemptOutcome, deliveredAfterSeconds?: number): void {
    this.instruments.attempts.inc({ outcome });
    if (outcome === 'succeeded' && deliveredAfterSeconds !== undefined) this.instruments.delivered.observe(deliveredAfterSeconds);
  }

  /** A request refused with 429 by one of the per-instance limits. */
  rateLimited(limit: RateLimit): void {
    this.instruments.rateLimited.inc({ limit });
  }

  /** A bank login or challenge answer refused with 429 because its bank user reached a cap. */
  bankUserCapReached(cap: BankUserCap): void {
    this.instruments.bankUserCaps.inc({ cap });
  }

  /**
   * The exposition: this instance's series, then the process's (`relink_process_*`,
   * `relink_nodejs_*`); in a worker of `--workers`, every worker's, summed by the primary
   * (counters and histograms add up; the backlog, read from the database, is taken once).
   */
  async render(): Promise<{ contentType: string; text: string }> {
    if (isWorker()) return askPrimary<{ contentType: string; text: string }>(METRICS, null, 5_000);
    const own = await this.instruments.registry.metrics();
    const process = processRegistry();
    return { contentType: process.contentType, text: own + (await process.metrics()) };
  }

  private get instruments(): Instruments {
    return (this.made ??= makeInstruments(this.deps));
  }
}

interface Instruments {
  registry: Registry;
  http: Histogram<'method' | 'route' | 'status'>;
  episodesStarted: Counter<'reason' | 'institution'>;
  episodesCompleted: Counter<'reason' | 'institution'>;
  episodesAbandoned: Counter<'reason' | 'institution' | 'how'>;
  episodeSeconds: Histogram<'reason' | 'institution'>;
  sessionsStarted: Counter<'origin' | 'institution'>;
  sessionsCompleted: Counter<'origin' | 'institution'>;
  sessionsAbandoned: Counter<'origin' | 'institution' | 'how'>;
  sync: Histogram<'outcome'>;
  attempts: Counter<'outcome'>;
  delivered: Histogram;
  backlog: Gauge<'state'>;
  oldestDue: Gauge;
  rateLimited: Counter<'limit'>;
  bankUserCaps: Counter<'cap'>;
}

function makeInstruments(deps: MetricsDeps): Instruments {
  const { Registry, Counter, Gauge, Histogram } = promClient();
  const registry = new Registry();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
    new Histogram<L>({ name: PREFIX + name, help, labelNames, buckets, registers });

  const made: Instruments = {
    registry,
    http: histogram('http_request_duration_seconds', 'HTTP requests answered, by route pattern, method and status', ['method', 'route', 'status'], SECONDS),
    episodesStarted: counter('reauth_episodes_started_total', 'Accounts a sync moved into reauth_required, by reason and institution', [
      'reason',
      'institution',
    ]),
    episodesCompleted: counter('reauth_episodes_completed_total', 'Re-authorisation episodes ended by account_reauthorized', ['reason', 'institution']),
    episodesAbandoned: counter('reauth_episodes_abandoned_total', 'Re-authorisation episodes ended by an unlink or a new link of the account', [
      'reason',
      'institution',
      'how',
    ]),
    episodeSeconds: histogram(
      'reauth_episode_duration_seconds',
      'Time to re-authorise: from reauthorisation_required to account_reauthorized',
      ['reason', 'institution'],
      EPISODE,
    ),
    sessionsStarted: counter('reauth_sessions_started_total', 'Reauth sessions started, by who started them and institution', ['origin', 'institution']),
    sessionsCompleted: counter('reauth_sessions_completed_total', 'Reauth sessions that re-authorised their account', ['origin', 'institution']),
    sessionsAbandoned: counter('reauth_sessions_abandoned_total', 'Reauth sessions ended without re-authorising: failed, cancelled or superseded', [
      'origin',
      'institution',
      'how',
    ]),
    sync: histogram('sync_duration_seconds', 'Account data syncs, from the bank call to the writes, by outcome', ['outcome'], [...SECONDS, 120, 300]),
    attempts: counter('webhook_attempts_total', 'Webhook delivery attempts by outcome', ['outcome']),
    delivered: new Histogram({
      name: `${PREFIX}webhook_delivery_latency_seconds`,
      help: 'From a delivery being queued (its event committed) to its 2xx',
      buckets: DELIVERY,
      registers,
    }),
    backlog: new Gauge({
      name: `${PREFIX}webhook_backlog_deliveries`,
      help: 'Webhook deliveries not yet delivered nor given up (state="pending"), and those of them whose last attempt failed (state="failing"); read from the database',
      labelNames: ['state'],
      registers,
      aggregator: 'first',
      collect: () => readBacklog(),
    }),
    oldestDue: new Gauge({
      name: `${PREFIX}webhook_backlog_oldest_due_seconds`,
      help: 'How long the longest-due pending webhook delivery has been due (0: none is due); read from the database',
      registers,
      aggregator: 'max',
      collect: () => readBacklog(),
    }),
    rateLimited: counter('rate_limited_total', 'Requests refused 429 by a per-instance rate limit', ['limit']),
    bankUserCaps: counter('bank_user_cap_hits_total', 'Bank logins and answers refused 429 because the bank user reached a cap', ['cap']),
  };

  // The registry collects every series at once: both gauges' collects share one read.
  let reading: Promise<void> | undefined;
  const readBacklog = () => (reading ??= read().finally(() => (reading = undefined)));
  /** Both backlog gauges from one query; a database that does not answer leaves them out of this scrape. */
  async function read() {
    try {
      const backlog = await deps.backlog();
      made.backlog.set({ state: 'pending' }, backlog.pending);
      made.backlog.set({ state: 'failing' }, backlog.failing);
      made.oldestDue.set(backlog.oldestDueSeconds);
    } catch (error) {
      deps.logger.warn({ err: error }, 'metrics: the webhook backlog could not be read; this scrape leaves it out');
      made.backlog.reset();
      made.oldestDue.reset();
    }
  }

  // Series whose labels are known ahead start at zero, so a first event shows in rate() and increase().
  for (const outcome of ['synced', 'reauth_required', 'failed', 'stale'] satisfies SyncOutcome[]) made.sync.zero({ outcome });
  for (const outcome of ['succeeded', 'retrying', 'failed', 'skipped'] satisfies AttemptOutcome[]) made.attempts.inc({ outcome }, 0);
  for (const limit of ['auth_failures', 'session', 'step', 'widget_address', 'widget_key'] satisfies RateLimit[]) made.rateLimited.inc({ limit }, 0);
  for (const cap of ['login', 'answer', 'login_public', 'answer_public'] satisfies BankUserCap[]) made.bankUserCaps.inc({ cap }, 0);
  return made;
}

const METRICS = 'metrics';

/** In the primary of `--workers`: a worker's scrape gets every worker's series, aggregated. */
export function aggregateWorkers(answerWorkers: (kind: string, answer: (body: unknown) => unknown) => void): void {
  const { AggregatorRegistry } = promClient();
  const aggregator = new AggregatorRegistry();
  answerWorkers(METRICS, async () => ({ contentType: aggregator.contentType, text: await aggregator.clusterMetrics() }));
}

let processMetrics: Registry | undefined;

/**
 * prom-client's default series (CPU, memory, handles, GC, event-loop lag), prefixed `relink_`:
 * one set per process, however many `Metrics` it holds (a test process runs several servers),
 * made when the first server starts (`start`). CPU and GC count from then; the event-loop lag
 * percentiles cover the time since the previous scrape.
 */
function processRegistry(): Registry {
  if (processMetrics) return processMetrics;
  const { Registry, collectDefaultMetrics } = promClient();
  processMetrics = new Registry();
  collectDefaultMetrics({ register: processMetrics, prefix: PREFIX });
  return processMetrics;
}
