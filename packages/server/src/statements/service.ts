import type { StatementPeriod } from '@relink/contract';
import type { Logger } from 'pino';
import type { Account, Transaction } from '../accounts/model.ts';
import type { AccountService, StatementFigures } from '../accounts/service.ts';
import type { Db } from '../db/database.ts';
import type { Capabilities } from '../db/dialects/types.ts';
import type { StatementJobRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newId, newStatementToken } from '../lib/ids.ts';
import { hashSecret } from '../lib/secrets.ts';
import { availableMonths, type PeriodRange, periodRange } from './period.ts';
import { StatementStore } from './store.ts';
import { StatementWorker } from './worker.ts';

/** Jobs a sweep deletes per transaction. */
const SWEEP_BATCH = 500;
/** Transactions a JSON statement reads from the database at a time. */
const READ_BATCH = 1_000;
/**
 * PDF statements one app may have waiting or building at once. Jobs are built oldest first
 * whatever their app, one at a time per instance, and a year of a busy account takes seconds:
 * without a cap one app's loop could hold every other app's statements behind its own. Ten is
 * more than a partner asks at once for one customer (one per period it shows).
 */
export const MAX_BUILDING_PER_APP = 10;

export interface StatementDeps {
  db: Db;
  capabilities: Pick<Capabilities, 'skipLocked'>;
  accounts: AccountService;
  clock: Clock;
  logger: Logger;
  /** How long a job, its file and its URLs live (`RELINK_STATEMENT_TTL`); how long a builder holds a job. */
  ttlMs: number;
  claimMs: number;
  pollMs?: number;
}

/** A JSON statement: the period, its figures and its transactions, newest first. */
export interface JsonStatement {
  range: PeriodRange;
  availableMonths: number;
  figures: StatementFigures;
  transactions: Transaction[];
}

/** A job as its owner sees it, with a URL token minted for this answer (null once FAILED). */
export interface JobView {
  job: StatementJobRow;
  token: string | null;
}

/**
 * Account statements: the JSON statement of a period from the stored transactions, and PDF
 * statements as durable jobs (`statement_jobs`) that `worker` builds in the background. A built
 * file is reached only through URLs holding a random token, each minted for one answer, stored
 * as its SHA-256, and living as long as the job (docs/security.md, "Statement files").
 */
export class StatementService {
  readonly worker: StatementWorker;
  private readonly store: StatementStore;
  private readonly accounts: AccountService;
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(deps: StatementDeps) {
    ({ accounts: this.accounts, clock: this.clock, ttlMs: this.ttlMs } = deps);
    this.store = new StatementStore(deps.db, deps.capabilities);
    this.worker = new StatementWorker({
      store: this.store,
      accounts: deps.accounts,
      clock: deps.clock,
      logger: deps.logger,
      claimMs: deps.claimMs,
      ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
    });
  }

  /** The app's account's statement over `period`, as of its last sync. */
  async json(appId: string, accountId: string, period: StatementPeriod): Promise<JsonStatement> {
    const account = await this.accounts.get(appId, accountId);
    const range = periodRange(period, this.clock.now());
    const figures = await this.accounts.statementFigures(account, range.start, range.end);
    const transactions: Transaction[] = [];
    let after: { date: number; key: string } | undefined;
    for (;;) {
      // A turn of the event loop between reads: SQLite answers synchronously (see the worker's reads).
      if (after) await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = await this.accounts.statementTransactions(account.id, range, 'desc', READ_BATCH, after);
      for (const { key: _key, ...t } of batch) transactions.push(t);
      if (batch.length < READ_BATCH) break;
      after = { date: batch.at(-1)!.date, key: batch.at(-1)!.key };
    }
    return { range, availableMonths: availableMonths(range, figures.oldest), figures, transactions };
  }

  /** Queues a PDF statement of the app's account over `period`; it is built in the background. */
  async startPdf(appId: string, accountId: string, period: StatementPeriod): Promise<JobView> {
    const account: Account = await this.accounts.get(appId, accountId);
    const building = await this.store.countBuilding(appId);
    if (building >= MAX_BUILDING_PER_APP)
      throw new DomainError(
        'RATE_LIMITED',
        `This app has ${building} PDF statements waiting or being built, the most it may have at once; poll them until they are BUILT, then ask again`,
        {},
        5,
      );
    const now = this.clock.now();
    const range = periodRange(period, now);
    const job: StatementJobRow = {
      id: newId('stj'),
      app_id: appId,
      account_id: account.id,
      period,
      start_at: range.start,
      end_at: range.end,
      status: 'BUILDING',
      attempts: 0,
      claimed_until: null,
      claim_token: null,
      error: null,
      pages: null,
      bytes: null,
      created_at: now,
      updated_at: now,
      built_at: null,
      expires_at: now + this.ttlMs,
    };
    await this.store.insertJob(job);
    void this.worker.wake();
    return { job, token: await this.mint(job) };
  }

  /** The app's job for this account, with a fresh URL to its file. */
  async job(appId: string, accountId: string, jobId: string): Promise<JobView> {
    const account = await this.accounts.get(appId, accountId);
    const job = await this.store.findJob(appId, account.id, jobId, this.clock.now());
    if (!job) throw new DomainError('STATEMENT_JOB_NOT_FOUND', `No statement job ${jobId} for account ${accountId}: unknown, or expired and deleted`);
    return { job, token: await this.mint(job) };
  }

  /**
   * The built file a URL's token names. `appId`: the app whose key came with the request, if one
   * did; a file of another app is then not found, as is an unknown, expired or unbuilt one, or
   * one of an account unlinked since.
   */
  async file(token: string, appId: string | undefined): Promise<{ jobId: string; accountId: string; content: Buffer }> {
    const file = await this.store.fileByToken(hashSecret(token), this.clock.now());
    // An unlinked account's data is gone (docs/contract.md §4): its statements are not served, and the
    // sweep deletes them with their jobs.
    if (!file || (appId !== undefined && file.app_id !== appId) || !(await this.accounts.find(file.app_id, file.account_id)))
      throw new DomainError('STATEMENT_NOT_FOUND', 'No statement at this URL: it is unknown, expired, not built yet, or not yours');
    return { jobId: file.job_id, accountId: file.account_id, content: file.content };
  }

  /** Deletes the jobs whose lifetime is over, with their files and URLs; answers how many jobs went. */
  async sweep(): Promise<number> {
    let swept = 0;
    for (;;) {
      const n = await this.store.sweep(this.clock.now(), SWEEP_BATCH);
      swept += n;
      if (n < SWEEP_BATCH) return swept;
    }
  }

  /** A new URL token for the job's file, valid as long as the job; none for a FAILED job. */
  private async mint(job: StatementJobRow): Promise<string | null> {
    if (job.status === 'FAILED') return null;
    const token = newStatementToken();
    await this.store.addUrl({ token_hash: hashSecret(token), job_id: job.id, app_id: job.app_id, expires_at: job.expires_at, created_at: this.clock.now() });
    return token;
  }
}
