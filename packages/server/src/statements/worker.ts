import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Transaction } from '../accounts/model.ts';
import type { AccountService } from '../accounts/service.ts';
import type { Clock } from '../lib/clock.ts';
import { CoalescedPass } from '../lib/coalesce.ts';
import { BuildStopped } from './pdf.ts';
import { PdfRenderer } from './renderer.ts';
import type { ClaimedJob, StatementStore } from './store.ts';

/** Builds of one job before it is FAILED: a statement that crashes its builder every time is not tried for ever. */
const MAX_ATTEMPTS = 3;
/** After a build threw, the job waits this long before any builder claims it again. */
const RETRY_MS = 10_000;
/** How often a worker looks for jobs whose last builder died on their last attempt (`StatementStore.failAbandoned`). */
const ABANDONED_CHECK_MS = 30_000;
/** Transactions read from the database at a time. */
const READ_BATCH = 500;

export interface StatementWorkerDeps {
  store: StatementStore;
  accounts: AccountService;
  clock: Clock;
  logger: Logger;
  /** How long a claim holds a job; a build lengthens it while it runs, and a dead builder's job is taken over after it. */
  claimMs: number;
  /** How often each instance looks for jobs to build, besides being woken by a job made here. */
  pollMs?: number;
}

/**
 * Builds PDF statements in the background. Which jobs are still to build is state in the
 * database, so a job survives a restart and any instance may build it; taking one is one
 * guarded update (`StatementStore.claim`) that holds it for `claimMs`, lengthened while the build
 * runs. A builder that dies mid-build (`kill -9`) leaves the job held until its hold lapses, then
 * another instance (or this one, restarted) builds it from the start; the file is written in
 * the same guarded update that marks the job BUILT, so exactly one build of a job is kept.
 * One build at a time per instance, drawn in a worker thread (`PdfRenderer`) while this thread
 * reads the transactions a batch at a time and keeps the hold.
 */
export class StatementWorker {
  /** Builds this worker kept (its file written): lets tests see how work was shared. */
  built = 0;
  private readonly passes: CoalescedPass;
  private readonly renderer = new PdfRenderer();
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private abandonedCheckedAt = -Infinity;

  constructor(private readonly deps: StatementWorkerDeps) {
    this.pollMs = deps.pollMs ?? 2_000;
    this.passes = new CoalescedPass(async () => void (await this.runDue()), {
      stopped: () => this.stopped,
      onError: (error) => this.deps.logger.error({ err: error }, 'statement build pass failed; retrying on the next poll'),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.wake(), this.pollMs);
    this.timer.unref();
    void this.wake();
  }

  /** Stops claiming; a build under way gives its job back at its next page, for another instance to build at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.passes.settled();
    await this.renderer.close();
  }

  /** Builds due jobs now (coalesced: a wake during a pass makes one more pass). */
  wake(): Promise<void> {
    return this.stopped ? Promise.resolve() : this.passes.run();
  }

  /** Builds jobs until none is left to claim; answers how many this pass claimed. */
  async runDue(): Promise<number> {
    let claimed = 0;
    const now = this.deps.clock.now();
    if (now - this.abandonedCheckedAt >= ABANDONED_CHECK_MS) {
      this.abandonedCheckedAt = now;
      await this.deps.store.failAbandoned(now, MAX_ATTEMPTS, 'The statement could not be built');
    }
    while (!this.stopped) {
      const [next] = await this.deps.store.claim(this.deps.clock.now(), this.deps.claimMs, 1);
      if (!next) break;
      claimed++;
      await this.build(next);
    }
    return claimed;
  }

  private async build(claimed: ClaimedJob): Promise<void> {
    const { job } = claimed;
    const { accounts, store, clock, logger } = this.deps;
    const started = performance.now();
    let heldUntil = clock.now() + this.deps.claimMs;
    try {
      const account = await accounts.find(job.app_id, job.account_id);
      if (!account) {
        await store.fail(claimed, 'The account was unlinked', clock.now());
        return;
      }
      const figures = await accounts.statementFigures(account, job.start_at, job.end_at);
      const checkpoint = async () => {
        if (this.stopped) return false;
        const now = clock.now();
        if (heldUntil - now > this.deps.claimMs / 2) return true;
        heldUntil = now + this.deps.claimMs;
        return store.extend(claimed, heldUntil);
      };
      const pdf = await this.renderer.render(
        {
          bank: account.institution.name,
          holder: account.name,
          accountNumber: account.accountNumber,
          accountType: account.type,
          currency: account.currency,
          period: job.period,
          start: job.start_at,
          end: job.end_at,
          generatedAt: job.created_at,
          reference: job.id,
          count: figures.count,
          openingBalance: figures.openingBalance,
          closingBalance: figures.closingBalance,
          totalCredit: figures.totalCredit,
          totalDebit: figures.totalDebit,
        },
        this.transactions(job.account_id, { start: job.start_at, end: job.end_at }),
        checkpoint,
      );
      if (await store.complete(claimed, pdf, clock.now())) {
        this.built++;
        logger.info(
          { job: job.id, pages: pdf.pages, bytes: pdf.content.length, ms: Math.round(performance.now() - started), attempt: job.attempts },
          'statement built',
        );
      } else {
        logger.warn({ job: job.id }, 'statement built, but another builder holds the job now: this build is dropped');
      }
    } catch (error) {
      if (error instanceof BuildStopped) {
        if (this.stopped) await store.release(claimed, null);
        return;
      }
      if (job.attempts >= MAX_ATTEMPTS) {
        logger.error({ err: error, job: job.id }, 'statement build failed; no more attempts');
        await store.fail(claimed, 'The statement could not be built', clock.now());
      } else {
        logger.error({ err: error, job: job.id, attempt: job.attempts }, 'statement build failed; it will be tried again');
        await store.release(claimed, clock.now() + RETRY_MS);
      }
    }
  }

  /**
   * The period's transactions, oldest first, READ_BATCH at a time, with a turn of the event loop
   * before each read: SQLite answers synchronously, so without it the whole year would be read
   * in one turn (180 ms for 10,000 transactions, measured).
   */
  private async *transactions(accountId: string, range: { start: number; end: number }): AsyncGenerator<Transaction[]> {
    let after: { date: number; key: string } | undefined;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = await this.deps.accounts.statementTransactions(accountId, range, 'asc', READ_BATCH, after);
      if (batch.length > 0) yield batch;
      if (batch.length < READ_BATCH) return;
      const last = batch.at(-1)!;
      after = { date: last.date, key: last.key };
    }
  }
}
