import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import type { RealtimeJobRow } from '../db/schema.ts';
import type { Events } from '../events/events.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newObjectId } from '../lib/ids.ts';
import { type Account, payloads } from '../accounts/model.ts';
import type { AccountService } from '../accounts/service.ts';
import { RealtimeStore } from './realtime_store.ts';
import type { SyncRun, SyncWorker } from './worker.ts';

/** How often a wait looks again at a job another instance runs, or at a sync another worker holds. */
const POLL_MS = 100;

export type JobName = RealtimeJobRow['name'];

/** A real-time job: one live bank call for an account, and what it found. */
export interface RealtimeJob {
  id: string;
  appId: string;
  accountId: string;
  name: JobName;
  status: RealtimeJobRow['status'];
  hasNewData: boolean;
  reauthRequired: boolean;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/**
 * What a real-time call answers: the account as the job left it, the job (for its headers), and
 * the failure to answer instead of the data when there is one.
 */
export interface RealtimeAnswer {
  account: Account;
  job: RealtimeJob | undefined;
  failure: DomainError | undefined;
}

export interface RealtimeDeps {
  db: Db;
  sync: SyncWorker;
  accounts: AccountService;
  events: Events;
  clock: Clock;
  logger: Logger;
  /** At most one job per account this often; a call between answers that job's result. */
  intervalMs: number;
  /** How long a call waits for its job before it answers the stored data as `processing`. */
  waitMs: number;
}

/**
 * Mono's real-time data (`x-realtime: true`): a data route asks the bank now instead of
 * answering the last sync. A real-time call is a sync of the account run now and waited for:
 * the job runs `SyncWorker.runOne` under the account's sync claim, so it is the sync's own bank
 * login, fetch, guarded writes and re-authorisation detection (`requireReauth`, which sends
 * `reauthorisation_required` once per episode), and the call answers from the data that sync
 * has just written.
 *
 * Bounded per account, on every instance: a job starts under the account's lock only when the
 * account's newest job is older than `intervalMs` (Mono's 5 minutes); any call before then,
 * here or on another instance, takes that job instead: it waits for it while it runs and then
 * answers its result, with its headers, as Mono answers a repeated call inside its window. So a
 * client calling in a loop reaches the bank once per interval. A job that found the account
 * needing re-authorisation does not hold the interval: once the user has re-authorised, the next
 * call asks the bank again. An account waiting for re-authorisation answers
 * `REAUTHORISATION_REQUIRED` at once and the bank is not asked.
 */
export class RealtimeService {
  private readonly store: RealtimeStore;
  private readonly sync: SyncWorker;
  private readonly accounts: AccountService;
  private readonly events: Events;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly waitMs: number;
  /** The jobs this instance runs, by id: calls here wait on them instead of polling. */
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(deps: RealtimeDeps) {
    ({
      sync: this.sync,
      accounts: this.accounts,
      events: this.events,
      clock: this.clock,
      logger: this.logger,
      intervalMs: this.intervalMs,
      waitMs: this.waitMs,
    } = deps);
    this.store = new RealtimeStore(deps.db);
  }

  /** A real-time call on the app's account: its job (started now, or the one that holds the interval), waited for. */
  async refresh(appId: string, accountId: string, name: JobName): Promise<RealtimeAnswer> {
    const stored = await this.accounts.get(appId, accountId);
    if (stored.reauthRequired) return { account: stored, job: undefined, failure: reauthRequired() };
    const now = this.clock.now();
    const holds = (job: RealtimeJobRow) => job.started_at > now - this.intervalMs && !(job.status === 'failed' && job.reauth_required === 1);
    let row = await this.store.latest(accountId);
    if (!row || !holds(row)) {
      const fresh: RealtimeJobRow = {
        id: newObjectId(),
        app_id: appId,
        account_id: accountId,
        name,
        status: 'processing',
        has_new_data: 0,
        reauth_required: 0,
        error: null,
        started_at: now,
        finished_at: null,
      };
      const start = await this.store.start(fresh, holds);
      if (!start) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${accountId}`);
      if ('reauth' in start) return { account: this.accounts.toAccount(start.reauth), job: undefined, failure: reauthRequired() };
      row = start.job;
      if (start.started) this.launch(row);
    }
    const job = toJob(await this.settled(row));
    const account = await this.accounts.get(appId, accountId);
    return { account, job, failure: this.failureOf(job, account) };
  }

  /** `GET /v2/accounts/{id}/jobs/{jobId}`: one of the app's account's jobs. */
  async job(appId: string, accountId: string, jobId: string): Promise<RealtimeJob> {
    await this.accounts.get(appId, accountId);
    const row = await this.store.find(appId, accountId, jobId);
    if (!row) throw new DomainError('JOB_NOT_FOUND', `No job ${jobId} for account ${accountId}; jobs are kept for a day`);
    return toJob(row);
  }

  /** Waits for the jobs this instance runs; a job still waiting for the account's sync gives up now. */
  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.values());
  }

  private failureOf(job: RealtimeJob, account: Account): DomainError | undefined {
    if (job.reauthRequired || account.reauthRequired) return reauthRequired();
    if (job.status !== 'failed') return undefined;
    const retryAfter = Math.max(1, Math.ceil((job.startedAt + this.intervalMs - this.clock.now()) / 1000));
    return new DomainError(
      'BANK_UNAVAILABLE',
      `No fresh data from the bank: ${job.error ?? 'the bank did not answer'}. The stored data is still served without x-realtime; ask again in ${retryAfter} s`,
      {},
      retryAfter,
    );
  }

  /** The job once it has finished, or as it stands when the wait is over. */
  private async settled(row: RealtimeJobRow): Promise<RealtimeJobRow> {
    if (row.status !== 'processing') return row;
    const deadline = Date.now() + this.waitMs;
    const here = this.running.get(row.id);
    if (here) {
      const timer = new AbortController();
      await Promise.race([here, sleep(this.waitMs, undefined, { signal: timer.signal, ref: false }).catch(() => undefined)]);
      timer.abort();
      return (await this.store.findById(row.id)) ?? row;
    }
    let current = row;
    while (current.status === 'processing' && Date.now() < deadline) {
      await sleep(POLL_MS);
      current = (await this.store.findById(row.id)) ?? current;
    }
    return current;
  }

  private launch(row: RealtimeJobRow) {
    const done = this.execute(row)
      .catch((error: unknown) => this.logger.error({ err: error, accountId: row.account_id, jobId: row.id }, 'realtime job failed unexpectedly'))
      .finally(() => this.running.delete(row.id));
    this.running.set(row.id, done);
  }

  /**
   * Runs the account's sync for the job. A sync another worker holds (the schedule's, a sandbox
   * reset's) is waited for, up to `waitMs`, and then this job runs its own: its data is fetched
   * after the call that asked for it.
   */
  private async execute(row: RealtimeJobRow): Promise<void> {
    const giveUp = Date.now() + this.waitMs;
    for (;;) {
      const outcome = await this.sync.runOne(row.account_id, row.id);
      if (outcome) return this.finish(row, outcome);
      const account = await this.accounts.findRow(row.app_id, row.account_id);
      if (!account) return this.end(row, { status: 'failed', error: 'The account was unlinked' });
      if (account.reauth_required) return this.end(row, { status: 'failed', reauth_required: 1, error: account.last_sync_error });
      if (this.stopped || Date.now() >= giveUp) {
        return this.end(row, { status: 'failed', error: 'Another sync of this account did not end in time; its result follows as account_updated' });
      }
      await sleep(POLL_MS);
    }
  }

  private async finish(row: RealtimeJobRow, outcome: SyncRun): Promise<void> {
    if (outcome.result === 'synced') return this.end(row, { status: 'finished', has_new_data: outcome.hasNewData ? 1 : 0 });
    if (outcome.result === 'stale') return this.end(row, { status: 'failed', error: 'The account was unlinked or linked again while the bank answered' });
    const account = await this.accounts.findRow(row.app_id, row.account_id);
    const error = account?.last_sync_error ?? 'The bank did not answer';
    return this.end(row, { status: 'failed', reauth_required: outcome.result === 'reauth_required' ? 1 : 0, error });
  }

  /** The job's end and `mono.accounts.jobs.update`, in one transaction. */
  private async end(row: RealtimeJobRow, changes: Partial<Pick<RealtimeJobRow, 'status' | 'has_new_data' | 'reauth_required' | 'error'>>): Promise<void> {
    const ended = { ...row, ...changes, finished_at: this.clock.now() };
    await this.events.transaction(async (trx) => {
      await this.store.finish(row.id, { ...changes, finished_at: ended.finished_at }, trx);
      await this.events.record(trx, {
        appId: row.app_id,
        type: 'mono.accounts.jobs.update',
        accountId: row.account_id,
        data: payloads.jobUpdated({ id: row.id, accountId: row.account_id, appId: row.app_id, name: row.name, status: ended.status }),
      });
    });
    this.logger.info({ accountId: row.account_id, jobId: row.id, status: ended.status, error: ended.error }, 'realtime job ended');
  }
}

function reauthRequired(): DomainError {
  return new DomainError(
    'REAUTHORISATION_REQUIRED',
    'The bank refused the stored login: this account needs re-authorisation before fresh data can be fetched; start a reauth session (the stored data is still served without x-realtime)',
  );
}

function toJob(row: RealtimeJobRow): RealtimeJob {
  return {
    id: row.id,
    appId: row.app_id,
    accountId: row.account_id,
    name: row.name,
    status: row.status,
    hasNewData: row.has_new_data === 1,
    reauthRequired: row.reauth_required === 1,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
