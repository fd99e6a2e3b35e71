import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
import { CoalescedPass } from '../lib/coalesce.ts';
import type { Vault } from '../vault/vault.ts';
import { attemptDelivery, SigningSecrets } from './attempt.ts';
import type { EgressGuard } from './egress.ts';
import type { Claim, DeliveryStore, Outcome } from './store.ts';
import type { Wakeup } from './wakeup.ts';

/** While an app is saturated, how often other apps' due work is looked for at most. */
const OTHERS_SCAN_GAP_MS = 50;

interface InFlight {
  appId: string;
  done: Promise<void>;
  abort: AbortController;
}

interface Unrecorded {
  outcome: Outcome;
  recorded(): void;
  failed(error: unknown): void;
}

/**
 * Turns due delivery rows into HTTP attempts. Work is found by claiming rows (so any number of
 * instances can share it), woken by commits and notifications, and polled for as a fallback.
 * Attempts run concurrently, at most `concurrency` at once and at most half of that for one
 * app, so a slow receiver cannot hold up the others.
 *
 * The database work is shared between attempts: one claim and one read of their targets per
 * batch of claimed rows, and the outcomes of attempts that end together recorded in one
 * transaction. An attempt holds its slot until its outcome is recorded.
 */
export class Dispatcher {
  readonly concurrency = 16;
  readonly perAppLimit = 8;
  /** Attempts this dispatcher started: lets tests see how work was shared. */
  attemptsStarted = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly passes: CoalescedPass;
  private readonly secrets: SigningSecrets;
  /** Outcomes waiting for the next recording transaction. */
  private unrecorded: Unrecorded[] = [];
  /** Never stopped: attempts that end while the dispatcher stops still have their outcome recorded. */
  private readonly recording: CoalescedPass;
  private started = false;
  private closed = false;
  /** Wake-ups from outside (a commit, a notification, the poll): each may mean new due work. */
  private wakes = 0;
  /** The wake-up count when a claim that skipped saturated apps last came back short. */
  private othersDrainedAt = -1;
  private othersScannedAt = -Infinity;
  private othersTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DeliveryStore,
    private readonly deps: { config: Config['webhook']; clock: Clock; vault: Vault; guard: EgressGuard; wakeup: Wakeup; logger: Logger },
  ) {
    this.passes = new CoalescedPass(() => this.claimAndLaunch(), {
      stopped: () => this.closed,
      onError: (error) => this.deps.logger.error({ err: error }, 'webhook dispatcher pass failed; retrying on the next wake-up'),
    });
    this.secrets = new SigningSecrets(deps.vault);
    this.recording = new CoalescedPass(() => this.recordUnrecorded(), { stopped: () => false, onError: () => {} });
  }

  /** Starts the background loop: a first pass now, then on every wake-up and poll. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    await this.deps.wakeup.listen(() => this.wake());
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.deps.wakeup.listen(() => this.wake());
        this.wake();
        tick();
      }, this.deps.config.pollIntervalMs);
      this.timer.unref();
    };
    tick();
    this.wake();
  }

  /** Looks for due work now, if the background loop runs: something may have become due. */
  wake(): void {
    this.wakes++;
    if (this.started && !this.closed) void this.passes.run();
  }

  /** An attempt ended: its slot is free, but nothing new has become due because of it. */
  private slotFreed(): void {
    if (this.started && !this.closed) void this.passes.run();
  }

  /** Attempts every delivery due now (and retries that fall due meanwhile); resolves when all are done. */
  async runDue(): Promise<void> {
    for (let round = 0; round < 10_000 && !this.closed; round++) {
      const before = this.attemptsStarted;
      await this.passes.run();
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
      if (this.attemptsStarted === before) return;
    }
  }

  /** Stops claiming, gives attempts in flight `graceMs` to finish, then cuts them short. */
  async stop(graceMs = Math.min(2_000, this.deps.config.timeoutMs)): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.othersTimer);
    await this.passes.settled();
    const settled = () => Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const flight of this.inFlight.values()) flight.abort.abort();
    await settled();
  }

  private async claimAndLaunch(): Promise<void> {
    while (!this.closed) {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const perApp = this.countByApp();
      const saturated = [...perApp].filter(([, n]) => n >= this.perAppLimit).map(([app]) => app);
      // Never claim more than the busiest app still has room for, so every row claimed fits under
      // its app's limit and is launched (claiming 8 and releasing 7 per delivery to one busy app
      // was measured before this). The loop claims again while there is room.
      const busiest = Math.max(0, ...[...perApp.values()].filter((n) => n < this.perAppLimit));
      // A claim that skips saturated apps walks past all of their due rows (a backlog of 10,000
      // for one app: every row, on every claim; measured as most of the dispatcher's CPU). So it
      // runs again only after a wake-up from outside since it last found nothing to take.
      // It also runs at most every OTHERS_SCAN_GAP_MS: a stream of commits, each a wake-up, would
      // otherwise walk that backlog once per event.
      if (saturated.length > 0) {
        if (this.othersDrainedAt === this.wakes) return;
        const wait = this.othersScannedAt + OTHERS_SCAN_GAP_MS - performance.now();
        if (wait > 0) {
          this.othersTimer ??= setTimeout(() => {
            this.othersTimer = undefined;
            this.slotFreed();
          }, wait);
          return;
        }
        this.othersScannedAt = performance.now();
      }
      const wakes = this.wakes;
      const limit = Math.min(free, this.perAppLimit - busiest);
      const now = this.deps.clock.now();
      const claims = await this.store.claimDue(now, limit, this.deps.config.timeoutMs * 2, saturated);
      if (saturated.length > 0 && claims.length < limit) this.othersDrainedAt = wakes;
      if (claims.length === 0) return;
      this.launch(claims);
    }
  }

  private countByApp(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const flight of this.inFlight.values()) counts.set(flight.appId, (counts.get(flight.appId) ?? 0) + 1);
    return counts;
  }

  /** Starts an attempt of each claimed row; their targets are read in one query. */
  private launch(claims: Claim[]): void {
    const targets = this.store.targets(claims.map((c) => c.id));
    for (const claim of claims) {
      const abort = new AbortController();
      this.attemptsStarted++;
      const done = targets
        .then((found) => attemptDelivery(claim, found.get(claim.id), this.secrets, this.deps, abort.signal))
        .then((outcome) => this.record(outcome))
        .catch((error: unknown) => this.deps.logger.error({ err: error, delivery: claim.id }, 'webhook attempt failed to record'))
        .finally(() => {
          this.inFlight.delete(claim.id);
          this.slotFreed();
        });
      this.inFlight.set(claim.id, { appId: claim.app_id, done, abort });
    }
  }

  /** Resolves when the outcome is committed (with the others that ended meanwhile). */
  private record(outcome: Outcome): Promise<void> {
    return new Promise((recorded, failed) => {
      this.unrecorded.push({ outcome, recorded, failed });
      void this.recording.run();
    });
  }

  private async recordUnrecorded(): Promise<void> {
    // Attempts whose answers arrived in the same turn of the event loop join one transaction.
    await new Promise((resolve) => setImmediate(resolve));
    const batch = this.unrecorded;
    this.unrecorded = [];
    if (batch.length === 0) return;
    const outcomes = batch.map((u) => u.outcome);
    let claims: Claim[];
    try {
      claims = await this.store.record(outcomes, this.claimAlongside(outcomes));
    } catch (error) {
      // Nothing of the batch was written (one transaction): its rows stay claimed until their
      // lease ends and are attempted again then, as after a crash.
      for (const u of batch) u.failed(error);
      return;
    }
    for (const u of batch) {
      this.inFlight.delete(u.outcome.claim.id);
      u.recorded();
    }
    if (claims.length > 0) this.launch(claims);
  }

  /**
   * The slots of the attempts being recorded are free once their outcomes are written. When no
   * app would then be at its limit, the next due rows are claimed in the same transaction: one
   * commit per round of attempts instead of two. (With an app at its limit the claim has to
   * skip that app's rows, which `claimAndLaunch` paces.)
   */
  private claimAlongside(outcomes: Outcome[]): { now: number; limit: number; leaseMs: number } | undefined {
    if (this.closed) return undefined;
    const freed = new Set(outcomes.map((o) => o.claim.id));
    const perApp = new Map<string, number>();
    for (const [id, flight] of this.inFlight) if (!freed.has(id)) perApp.set(flight.appId, (perApp.get(flight.appId) ?? 0) + 1);
    const busiest = Math.max(0, ...perApp.values());
    const limit = Math.min(this.concurrency - (this.inFlight.size - freed.size), this.perAppLimit - busiest);
    if (limit <= 0) return undefined;
    return { now: this.deps.clock.now(), limit, leaseMs: this.deps.config.timeoutMs * 2 };
  }
}
