import type { Logger } from 'pino';
import type { Connectors } from '../connectors/registry.ts';
import type { AccountData, ConnectorState, FetchOutcome } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { AccountRow } from '../db/schema.ts';
import type { Events } from '../events/events.ts';
import type { Clock } from '../lib/clock.ts';
import type { Vault } from '../vault/vault.ts';
import { CoalescedPass } from '../lib/coalesce.ts';
import { payloads } from './model.ts';
import type { AccountService } from './service.ts';
import { sealIdentity } from './identity.ts';

const CLAIM_MS = 5 * 60_000;
const RETRY_MS = 15 * 60_000;
const SYNC_INTERVAL_MS = 24 * 60 * 60_000;

/** `stale`: the account was unlinked or linked again while the bank answered; nothing was written. */
export type SyncResult = 'synced' | 'reauth_required' | 'failed' | 'stale';

/**
 * Data sync. Which accounts need one is state in the database (`sync_due_at`), so a sync
 * asked for survives a restart and any instance may run it; claiming an account is one
 * guarded update. A sync first uses the bank session the link left behind; when that is
 * gone it logs in again with the stored credentials, and if the bank then wants MFA or
 * rejects the password the account needs re-authorisation (CONTRACT §5).
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
    private readonly pollMs = 2_000,
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

  /** Syncs every account that is due; returns how many were attempted. */
  async runDue(): Promise<number> {
    let count = 0;
    while (!this.stopped) {
      const now = this.clock.now();
      const row = await this.accounts.store.claimDueSync(now, now + CLAIM_MS);
      if (!row) break;
      count++;
      try {
        await this.sync(row);
      } catch (error) {
        // Unlinked or linked again mid-sync (its vault records gone with the old link): the
        // account's current state already says what happens next.
        const postponed = await this.writeIfCurrent(row, (trx) =>
          this.accounts.store.update(row.id, { sync_claimed_until: null, sync_due_at: this.clock.now() + RETRY_MS }, trx),
        );
        if (postponed) this.logger.error({ err: error, accountId: row.id }, 'sync failed unexpectedly');
        else this.logger.info({ accountId: row.id }, 'sync abandoned: the account was unlinked or linked again meanwhile');
      }
    }
    return count;
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
      let login = await this.connectors.call((ctx) => connector.login({ institutionId: institution.id, authMethod: row.auth_method, fields }, ctx), unavailable);
      if (login.kind === 'select') {
        const offered = login.state;
        login = await this.connectors.call((ctx) => connector.selectAccount(offered, row.account_number, ctx), unavailable);
      }
      if (login.kind === 'unavailable') fetched = login;
      else if (login.kind === 'ok') {
        state = login.state;
        fetched = await fetchWith(state);
      } else {
        return this.requireReauth(row, login.kind === 'challenge' ? 'the bank asked for MFA' : 'the bank rejected the stored credentials');
      }
    }
    if (fetched.kind === 'ok') return this.store(row, fetched.data, state);
    if (fetched.kind === 'session_expired') return this.requireReauth(row, fetched.message);
    const written = await this.writeIfCurrent(row, async (trx) => {
      await this.accounts.store.update(row.id, { sync_claimed_until: null, sync_due_at: this.clock.now() + RETRY_MS, data_status: row.last_synced_at ? row.data_status : 'FAILED' }, trx);
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.sync_failed', accountId: row.id, data: payloads.syncFailed(row.id, fetched.message) });
    });
    if (!written) return 'stale';
    this.events.committed();
    return 'failed';
  }

  /**
   * The bank answered for the account as it was when claimed. Unlinked since, its data stays
   * deleted (CONTRACT §4) and no event is sent; linked again since, the new link's credentials
   * and bank session win. The row stays locked until the transaction ends, so an unlink or
   * relink cannot slip in between this check and `write`. Returns whether `write` ran.
   */
  private writeIfCurrent(row: AccountRow, write: (trx: Db) => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
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
          sync_due_at: now + SYNC_INTERVAL_MS,
          sync_claimed_until: null,
          updated_at: now,
        },
        trx,
      );
      const account = this.accounts.toAccount((await this.accounts.store.findById(row.id, trx))!);
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.account_updated', accountId: row.id, data: payloads.accountUpdated(account, 'SUCCESSFUL') });
    });
    if (!written) return 'stale';
    this.events.committed();
    return 'synced';
  }

  private async requireReauth(row: AccountRow, reason: string): Promise<SyncResult> {
    const written = await this.writeIfCurrent(row, async (trx) => {
      await this.accounts.store.update(row.id, { reauth_required: 1, sync_due_at: null, sync_claimed_until: null, updated_at: this.clock.now() }, trx);
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.reauthorisation_required', accountId: row.id, data: payloads.accountOnly(row.id) });
    });
    if (!written) return 'stale';
    this.events.committed();
    this.logger.info({ accountId: row.id, reason }, 'account needs re-authorisation');
    return 'reauth_required';
  }
}
