import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
import { CoalescedPass } from '../lib/coalesce.ts';
import type { Handoff, HandedDelivery } from '../events/outbox.ts';
import { newId } from '../lib/ids.ts';
import type { Vault } from '../vault/vault.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { attemptDelivery, SigningSecrets } from './attempt.ts';
import type { EgressGuard } from './egress.ts';
import type { Claim, DeliveryStore, Outcome, Target } from './store.ts';
import type { Wakeup } from './wakeup.ts';

/** While an app is saturated, how often other apps' due work is looked for at most. */
const OTHERS_SCAN_GAP_MS = 50;

interface InFlight {
  appId: string;
  /** Settles when the attempt has an outcome (its recording comes after). */
  done: Promise<void>;
  abort: AbortController;
}

/** A claimed row waiting for a slot, with what its attempt needs. */
interface Ready {
  claim: Claim;
  target: Target | undefined;
}

/**
 * Turns due delivery rows into HTTP attempts. Work is found by claiming rows (so any number of
 * instances can share it), woken by commits and notifications, and polled for as a fallback.
 * Attempts run concurrently, at most `concurrency` at once and at most half of that for one
 * app, so a slow receiver cannot hold up the others.
 *
 * The database work is shared between attempts, off the path from one attempt to the next:
 * rows are claimed in batches, up to one more round than the slots hold (`ready`), with their
 * targets read in one query; the outcomes of attempts that end together are recorded in one
 * transaction, which also claims the next rows. When an attempt ends, the next ready row
 * starts at once, in the same turn of the event loop, without waiting for the database.
 */
export class Dispatcher implements Handoff {
  readonly concurrency = 16;
  readonly perAppLimit = 8;
  /** Attempts this dispatcher started: lets tests see how work was shared. */
  attemptsStarted = 0;
  private readonly inFlight = new Map<string, InFlight>();
  /** Claimed rows waiting for a slot, per app, oldest first: at most `perAppLimit` per app. */
  private readonly ready = new Map<string, Ready[]>();
  /** Deliveries claimed for this dispatcher in transactions not yet committed, per app (`reserve`). */
  private readonly reserved = new Map<string, number>();
  private readonly passes: CoalescedPass;
  private readonly secrets: SigningSecrets;
  /** Outcomes waiting for the next recording transaction. */
  private unrecorded: Outcome[] = [];
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
    private readonly deps: {
      config: Config['webhook'];
      clock: Clock;
      vault: Vault;
      guard: EgressGuard;
      wakeup: Wakeup;
      logger: Logger;
      metrics: Metrics;
      /** Where this process's transactions queue deliveries: while the dispatcher runs, they hand them here as they commit. */
      outbox?: { handOffTo(handoff: Handoff | undefined): void };
    },
  ) {
    this.passes = new CoalescedPass(() => this.claimAndLaunch(), {
      stopped: () => this.closed,
      onError: (error) => this.deps.logger.error({ err: error }, 'webhook dispatcher pass failed; retrying on the next wake-up'),
    });
    this.secrets = new SigningSecrets(deps.vault);
    this.recording = new CoalescedPass(() => this.recordUnrecorded(), {
      stopped: () => false,
      onError: (error) => this.deps.logger.error({ err: error }, 'webhook attempts failed to record; their rows are attempted again when the claims lapse'),
    });
  }

  /** Starts the background loop: a first pass now, then on every wake-up and poll. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    this.deps.outbox?.handOffTo(this);
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

  /** Room was made (an outcome recorded), but nothing new has become due because of it. */
  private roomMade(): void {
    if (this.started && !this.closed) void this.passes.run();
  }

  /** Attempts every delivery due now (and retries that fall due meanwhile); resolves when all are done and recorded. */
  async runDue(): Promise<void> {
    for (let round = 0; round < 10_000 && !this.closed; round++) {
      const before = this.attemptsStarted;
      await this.passes.run();
      await this.settle();
      if (this.attemptsStarted === before) return;
    }
  }

  /** Resolves once no attempt is in flight or waiting for a slot and every outcome is recorded. */
  private async settle(): Promise<void> {
    while (this.inFlight.size > 0 || this.readyCount() > 0 || this.unrecorded.length > 0) {
      await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
      await this.recording.run();
    }
    await this.recording.settled();
  }

  /**
   * Stops claiming, gives back the rows waiting for a slot, gives attempts in flight `graceMs`
   * to finish, then cuts them short; every outcome is recorded before it resolves.
   */
  async stop(graceMs = Math.min(2_000, this.deps.config.timeoutMs)): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deps.outbox?.handOffTo(undefined);
    clearTimeout(this.timer);
    clearTimeout(this.othersTimer);
    await this.passes.settled();
    for (const queue of this.ready.values()) for (const { claim } of queue.splice(0)) this.record({ kind: 'released', claim });
    const settled = () => Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const flight of this.inFlight.values()) flight.abort.abort();
    await settled();
    await this.recording.run();
    await this.recording.settled();
  }

  /**
   * A transaction is queueing a delivery of `appId`: claimed for this dispatcher when it has
   * room for it (within the same limits as its own claims), so that its first attempt starts
   * as the transaction commits (`adopt`), with no claim and no read of its own. Undefined when
   * it has no room or is not running: the row is then claimed like any other.
   */
  reserve(appId: string): { token: string; until: number } | undefined {
    if (!this.started || this.closed) return undefined;
    const plan = this.claimPlan();
    if (!plan || plan.saturated.includes(appId)) return undefined;
    this.reserved.set(appId, (this.reserved.get(appId) ?? 0) + 1);
    return { token: newId('clm'), until: this.deps.clock.now() + this.leaseMs() };
  }

  /** The transaction committed: its deliveries are attempted now (given back if the dispatcher stopped meanwhile). */
  adopt(deliveries: HandedDelivery[]): void {
    this.release(deliveries);
    for (const { body, endpoint, ...claim } of deliveries) {
      if (this.closed) {
        this.record({ kind: 'released', claim });
        continue;
      }
      const queue = this.ready.get(claim.app_id) ?? [];
      queue.push({ claim, target: { body, ...endpoint } });
      this.ready.set(claim.app_id, queue);
    }
    this.pump();
  }

  /** The transaction did not commit (or committed and was adopted): its reservations end. */
  release(deliveries: HandedDelivery[]): void {
    for (const { app_id } of deliveries) {
      const left = (this.reserved.get(app_id) ?? 1) - 1;
      if (left > 0) this.reserved.set(app_id, left);
      else this.reserved.delete(app_id);
    }
  }

  private async claimAndLaunch(): Promise<void> {
    while (!this.closed) {
      const plan = this.claimPlan();
      if (!plan) return;
      const { limit, saturated } = plan;
      // A claim that skips saturated apps walks past all of their due rows (cheap since the
      // claim reads the pending index alone, 0.4 ms behind 3,300 due rows, but a stream of
      // commits would still walk it once per event). So it runs again only after a wake-up from
      // outside since it last found nothing to take, and at most every OTHERS_SCAN_GAP_MS.
      if (saturated.length > 0) {
        if (this.othersDrainedAt === this.wakes) return;
        const wait = this.othersScannedAt + OTHERS_SCAN_GAP_MS - performance.now();
        if (wait > 0) {
          this.othersTimer ??= setTimeout(() => {
            this.othersTimer = undefined;
            this.roomMade();
          }, wait);
          return;
        }
        this.othersScannedAt = performance.now();
      }
      const wakes = this.wakes;
      const claims = await this.store.claimDue(this.deps.clock.now(), limit, this.leaseMs(), saturated);
      if (saturated.length > 0 && claims.length < limit) this.othersDrainedAt = wakes;
      if (claims.length === 0) return;
      await this.enqueue(claims);
    }
  }

  /**
   * How many rows to claim now, and which apps' rows to skip. An app holds at most two rounds
   * (`perAppLimit` in flight, as many waiting), the dispatcher at most two rounds of
   * `concurrency`. Never more than the busiest app still has room for, so every row claimed
   * fits under its app's limit (claiming 8 and releasing 7 per delivery to one busy app was
   * measured before this).
   */
  private claimPlan(): { limit: number; saturated: string[] } | undefined {
    const held = this.inFlightByApp();
    let total = this.inFlight.size;
    for (const [appId, queue] of this.ready) {
      held.set(appId, (held.get(appId) ?? 0) + queue.length);
      total += queue.length;
    }
    for (const [appId, n] of this.reserved) {
      held.set(appId, (held.get(appId) ?? 0) + n);
      total += n;
    }
    const appRoom = 2 * this.perAppLimit;
    const saturated = [...held].filter(([, n]) => n >= appRoom).map(([app]) => app);
    const busiest = Math.max(0, ...[...held.values()].filter((n) => n < appRoom));
    const limit = Math.min(2 * this.concurrency - total, appRoom - busiest);
    return limit > 0 ? { limit, saturated } : undefined;
  }

  private inFlightByApp(): Map<string, number> {
    const perApp = new Map<string, number>();
    for (const flight of this.inFlight.values()) perApp.set(flight.appId, (perApp.get(flight.appId) ?? 0) + 1);
    return perApp;
  }

  private readyCount(): number {
    let n = 0;
    for (const queue of this.ready.values()) n += queue.length;
    return n;
  }

  /** Reads the claimed rows' targets in one query, queues them, and starts what fits. */
  private async enqueue(claims: Claim[]): Promise<void> {
    const targets = await this.store.targets(claims.map((c) => c.id));
    if (this.closed) {
      // Claimed by a transaction that was under way when `stop` began: given back, not held.
      for (const claim of claims) this.record({ kind: 'released', claim });
      return;
    }
    for (const claim of claims) {
      const queue = this.ready.get(claim.app_id) ?? [];
      queue.push({ claim, target: targets.get(claim.id) });
      this.ready.set(claim.app_id, queue);
    }
    this.pump();
  }

  /**
   * Starts waiting rows while their apps and the dispatcher have free slots. A row whose claim
   * would lapse before its attempt could time out (it waited behind a receiver that took its
   * whole timeout) is given back instead, for any dispatcher to claim afresh: no row is ever
   * attempted on a hold that may lapse under it.
   */
  private pump(): void {
    if (this.closed) return;
    const perApp = this.inFlightByApp();
    for (const [appId, queue] of this.ready) {
      while (queue.length > 0 && this.inFlight.size < this.concurrency && (perApp.get(appId) ?? 0) < this.perAppLimit) {
        const next = queue.shift()!;
        if (next.claim.claimed_until - this.deps.clock.now() < this.deps.config.timeoutMs) {
          this.record({ kind: 'released', claim: next.claim });
          continue;
        }
        perApp.set(appId, (perApp.get(appId) ?? 0) + 1);
        this.launch(next);
      }
      if (queue.length === 0) this.ready.delete(appId);
    }
  }

  private launch({ claim, target }: Ready): void {
    const abort = new AbortController();
    this.attemptsStarted++;
    const done = attemptDelivery(claim, target, this.secrets, this.deps, abort.signal).then(
      (outcome) => {
        this.inFlight.delete(claim.id);
        this.count(outcome);
        this.record(outcome);
        this.pump();
      },
      (error: unknown) => {
        // attemptDelivery does not throw (a failed request is an outcome); a vault that cannot
        // open the signing secret does: the row stays claimed until its lease ends.
        this.inFlight.delete(claim.id);
        this.deps.logger.error({ err: error, delivery: claim.id }, 'webhook attempt could not be made');
        this.pump();
      },
    );
    this.inFlight.set(claim.id, { appId: claim.app_id, done, abort });
  }

  /** An attempt made (or a delivery ended without one), for /metrics; a 2xx with its time since the delivery was queued. */
  private count(outcome: Outcome): void {
    if (outcome.kind === 'released') return;
    if (outcome.kind === 'abandoned') return this.deps.metrics.webhookAttempted('skipped');
    const { claim, attempt, next } = outcome;
    if (next.status === 'succeeded') this.deps.metrics.webhookAttempted('succeeded', (attempt.at + attempt.durationMs - claim.created_at) / 1000);
    else this.deps.metrics.webhookAttempted(next.status === 'pending' ? 'retrying' : 'failed');
  }

  private record(outcome: Outcome): void {
    this.unrecorded.push(outcome);
    void this.recording.run();
  }

  private async recordUnrecorded(): Promise<void> {
    // Attempts whose answers arrived in the same turn of the event loop join one transaction.
    await new Promise((resolve) => setImmediate(resolve));
    const outcomes = this.unrecorded;
    this.unrecorded = [];
    if (outcomes.length === 0) return;
    // When no app would then be at its limit, the next due rows are claimed in the same
    // transaction: one commit per round of attempts instead of two. (With an app at its limit
    // the claim has to skip that app's rows, which `claimAndLaunch` paces.)
    const plan = this.closed ? undefined : this.claimPlan();
    const claim = plan && plan.saturated.length === 0 ? { now: this.deps.clock.now(), limit: plan.limit, leaseMs: this.leaseMs() } : undefined;
    // A failure throws out of here: nothing of the batch was written (one transaction), so its
    // rows stay claimed until their leases end and are attempted again then, as after a crash.
    const claims = await this.store.record(outcomes, claim);
    if (claims.length > 0) await this.enqueue(claims);
    this.roomMade();
  }

  private leaseMs(): number {
    return this.deps.config.timeoutMs * 2;
  }
}
