import type { Logger } from 'pino';
import type { Connectors } from '../connectors/registry.ts';
import type { AccountData, ConnectorState, FetchOutcome } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { AccountRow } from '../db/schema.ts';
import type { Events } from '../events/events.ts';
import type { Clock } from '../lib/clock.ts';
import type { Vault } from '../vault/vault.ts';
import { CoalescedPass } from '../lib/coalesce.ts';
import { loginAsLinked, type LinkedOutcome } from './bank_login.ts';
import { payloads } from './model.ts';
import type { AccountService } from './service.ts';
import { sealIdentity } from './identity.ts';

const RETRY_MS = 15 * 60_000;

/** Why a login with the stored credentials that did not go through means re-authorisation. */
const REAUTH_REASONS: Record<Exclude<LinkedOutcome['kind'], 'ok' | 'unavailable'>, string> = {
  challenge: 'The bank asked for multi-factor authentication (OTP) on a new login',
  wrong_answer: 'The bank asked for multi-factor authentication (OTP) on a new login',
  invalid_credentials: 'The bank rejected the stored credentials: the password was changed',
  locked: 'The bank reports the account locked',
  other_user: 'The stored credentials no longer reach this account',
};

/** `stale`: the account was unlinked or linked again while the bank answered; nothing was written. */
export type SyncResult = 'synced' | 'reauth_required' | 'failed' | 'stale';

/**
 * Data sync. Which accounts need one is state in the database (`sync_due_at`), so a sync
 * asked for survives a restart and any instance may run it; claiming an account is one
 * guarded update. A sync first uses the bank session the link left behind; when that is
 * gone it logs in again with the stored credentials, and if the bank then wants MFA or
 * rejects the password the account needs re-authorisation (CONTRACT §5). From then on no
 * sync is claimed for it, so the bank sees no further login until the user re-authorises.
 */
export class SyncWorker {
  private timer: NodeJS.Timeout | undefined;
  private readonly passes: CoalescedPass;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
    private readonly connectors: Connectors,
    private readonly accounts: AccountService,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    /** How long a claim holds an account: a crashed worker's accounts are taken over after it. */
    private readonly claimMs = 5 * 60_000,
    private readonly pollMs = 2_000,
    /** Syncs running at once in one sweep (each is one bank session; banks answer slowly, not heavily). */
    private readonly concurrency = 8,
  ) {
    this.passes = new CoalescedPass(async () => void (await this.runDue()), {
      stopped: () => this.stopped,
      onError: (error) => this.logger.error({ err: error }, 'sync pass failed'),
    });
  }

  start() {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.passes.settled();
  }

  /** Runs due syncs now (coalesced: a wake during a run schedules one more pass). */
  wake(): Promise<void> {
    return this.stopped ? Promise.resolve() : this.passes.run();
  }

  /**
   * Syncs this account now, unless another worker holds it or it waits for re-authorisation;
   * returns what happened, or undefined when it was not this call's to run.
   */
  async runOne(accountId: string): Promise<SyncResult | undefined> {
    const now = this.clock.now();
    const row = await this.accounts.store.claimSync(accountId, now, now + this.claimMs);
    if (!row) return undefined;
    try {
      return await this.sync(row);
    } catch (error) {
      await this.postpone(row, error);
      return 'failed';
    }
  }

  /**
   * Syncs every account that is due; returns how many were attempted. Up to `concurrency`
   * syncs run at once (a bank's answer takes hundreds of milliseconds: one at a time, a sweep
   * over 100,000 accounts would take hours), and accounts are claimed in batches once half
   * the slots are free, so claiming costs one statement per batch, not one per account.
   */
  async runDue(): Promise<number> {
    let count = 0;
    const running = new Set<Promise<void>>();
    while (!this.stopped) {
      if (running.size > this.concurrency / 2) {
        await Promise.race(running);
        continue;
      }
      const now = this.clock.now();
      const rows = await this.accounts.store.claimDueSyncs(now, now + this.claimMs, this.concurrency - running.size);
      if (rows.length === 0) {
        if (running.size === 0) break;
        await Promise.race(running);
        continue;
      }
      count += rows.length;
      for (const row of rows) {
        const done: Promise<void> = this.sync(row)
          .then(
            () => undefined,
            (error: unknown) => this.postpone(row, error),
          )
          .catch((error: unknown) => this.logger.error({ err: error, accountId: row.id }, 'sync failed and could not be postponed'))
          .finally(() => running.delete(done));
        running.add(done);
      }
    }
    await Promise.all(running);
    return count;
  }

  /** A sync that threw. Unlinked or linked again mid-sync (its vault records gone with the old link): the account's current state already says what happens next. */
  private async postpone(row: AccountRow, error: unknown) {
    const postponed = await this.writeIfCurrent(row, (trx) =>
      this.accounts.store.update(row.id, { sync_claimed_until: null, sync_due_at: this.clock.now() + RETRY_MS }, trx),
    );
    if (postponed) this.logger.error({ err: error, accountId: row.id }, 'sync failed unexpectedly');
    else this.logger.info({ accountId: row.id }, 'sync abandoned: the account was unlinked or linked again meanwhile');
  }

  async sync(row: AccountRow): Promise<SyncResult> {
    const institution = this.accounts.toAccount(row).institution;
    const connector = this.connectors.get(institution.connector);
    const unavailable = (timeout: Error) => ({ kind: 'unavailable' as const, message: timeout.message });
    const fetchWith = (bankState: ConnectorState) =>
      this.connectors.call((ctx) => connector.fetchData(bankState, row.account_number, { since: row.last_synced_at ?? undefined }, ctx), unavailable);
    // Both secrets are read at once, before the bank is called, so they belong to the same link.
    let state = row.bank_state_secret_id ? (JSON.parse(await this.vault.open(row.bank_state_secret_id)) as ConnectorState) : undefined;
    const fields = row.credentials_secret_id ? (JSON.parse(await this.vault.open(row.credentials_secret_id)) as Record<string, string>) : {};
    let fetched: FetchOutcome = state ? await fetchWith(state) : { kind: 'session_expired', message: 'no bank session' };
    if (fetched.kind === 'session_expired') {
      const login = await loginAsLinked(this.connectors, connector, { institutionId: institution.id, authMethod: row.auth_method, fields }, row.account_number);
      if (login.kind === 'unavailable') fetched = login;
      else if (login.kind === 'ok') {
        state = login.state;
        fetched = await fetchWith(state);
      } else {
        return this.requireReauth(row, REAUTH_REASONS[login.kind]);
      }
    }
    if (fetched.kind === 'ok') return this.store(row, fetched.data, state);
    if (fetched.kind === 'session_expired') return this.requireReauth(row, `The bank asked for a new login: ${fetched.message}`);
    const reason = fetched.message;
    const written = await this.writeIfCurrent(row, async (trx) => {
      const now = this.clock.now();
      await this.accounts.store.update(row.id, { sync_claimed_until: null, sync_due_at: now + RETRY_MS, data_status: row.last_synced_at ? row.data_status : 'FAILED', last_sync_error: reason, updated_at: now }, trx);
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.sync_failed', accountId: row.id, data: payloads.syncFailed(row.id, reason) });
      await this.recordUpdated(trx, row.id, 'FAILED', reason);
    });
    return written ? 'failed' : 'stale';
  }

  /**
   * The bank answered for the account as it was when claimed. Unlinked since, its data stays
   * deleted (CONTRACT §4) and no event is sent; linked again since, the new link's credentials
   * and bank session win. The row stays locked until the transaction ends, so an unlink or
   * relink cannot slip in between this check and `write`. Returns whether `write` ran.
   */
  private writeIfCurrent(row: AccountRow, write: (trx: Db) => Promise<void>): Promise<boolean> {
    return this.events.transaction(async (trx) => {
      const now = await this.accounts.store.lockLive(row.id, trx);
      if (!now || now.credentials_secret_id !== row.credentials_secret_id) return false;
      await write(trx);
      return true;
    });
  }

  private async store(row: AccountRow, data: AccountData, state: ConnectorState | undefined): Promise<SyncResult> {
    const now = this.clock.now();
    const written = await this.writeIfCurrent(row, async (trx) => {
      await this.accounts.store.insertTransactions(
        data.transactions.map((t) => ({ id: `${row.id}:${t.id}`, account_id: row.id, bank_id: t.id, type: t.type, amount: t.amount, narration: t.narration, date: t.date, balance: t.balance, currency: t.currency, created_at: now })),
        trx,
      );
      let bankStateId = row.bank_state_secret_id;
      if (state && bankStateId) await this.vault.reseal(bankStateId, JSON.stringify(state), trx);
      else if (state) bankStateId = await this.vault.seal('bank_state', JSON.stringify(state), trx);
      await this.accounts.store.update(
        row.id,
        {
          name: data.account.name,
          type: data.account.type,
          currency: data.account.currency,
          balance: data.account.balance,
          bvn: data.account.bvn,
          identity: await sealIdentity(this.vault, row.identity, data.identity, trx),
          data_status: 'AVAILABLE',
          retrieved_data: JSON.stringify(['identity', 'balance', 'transactions']),
          bank_state_secret_id: bankStateId,
          last_synced_at: now,
          last_sync_error: null,
          sync_due_at: now + this.intervalMs,
          sync_claimed_until: null,
          updated_at: now,
        },
        trx,
      );
      await this.recordUpdated(trx, row.id, 'SUCCESSFUL');
    });
    return written ? 'synced' : 'stale';
  }

  private async recordUpdated(trx: Db, id: string, status: 'SUCCESSFUL' | 'FAILED' | 'REAUTHORISATION_REQUIRED', reason?: string) {
    const account = this.accounts.toAccount((await this.accounts.store.findById(id, trx))!);
    await this.events.record(trx, { appId: account.appId, type: 'mono.events.account_updated', accountId: id, data: payloads.accountUpdated(account, status, reason) });
  }

  /**
   * The account needs re-authorisation. `reauthorisation_required` (and an `account_updated`
   * saying why) is recorded once per episode: only by the sync that moved the account into it.
   */
  private async requireReauth(row: AccountRow, reason: string): Promise<SyncResult> {
    let entered = false;
    const written = await this.writeIfCurrent(row, async (trx) => {
      const now = this.clock.now();
      const current = await this.accounts.store.findById(row.id, trx);
      entered = current?.reauth_required === 0;
      await this.accounts.store.update(row.id, { reauth_required: 1, last_sync_error: reason, sync_due_at: null, sync_claimed_until: null, updated_at: now }, trx);
      if (!entered) return;
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.reauthorisation_required', accountId: row.id, data: payloads.accountOnly(row.id) });
      await this.recordUpdated(trx, row.id, 'REAUTHORISATION_REQUIRED', reason);
    });
    if (!written) return 'stale';
    if (entered) this.logger.info({ accountId: row.id, reason }, 'account needs re-authorisation');
    return 'reauth_required';
  }
}
