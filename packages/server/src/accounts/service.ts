import type { Db } from '../db/database.ts';
import type { AccountRow, ReauthCause, SessionOrigin, TransactionRow } from '../db/schema.ts';
import type { BankAccount, ConnectorState } from '../connectors/types.ts';
import type { Events } from '../events/events.ts';
import { DomainError } from '../lib/errors.ts';
import type { InstitutionRegistry } from '../institutions/registry.ts';
import type { Clock } from '../lib/clock.ts';
import { newObjectId } from '../lib/ids.ts';
import type { EndedEpisode, Metrics } from '../metrics/metrics.ts';
import type { Vault } from '../vault/vault.ts';
import type { CustomerService } from '../customers/service.ts';
import type { Codes } from './codes.ts';
import { EpisodeStore, type EpisodeStep } from './episodes.ts';
import { identitySecretOf } from './identity.ts';
import { type Account, payloads, type Transaction, type TransactionFilter, toAccount } from './model.ts';
import { type AccountFilter, AccountStore } from './store.ts';

/** What a statement says about its period besides the transactions (`AccountService.statementFigures`). */
export interface StatementFigures {
  count: number;
  totalCredit: number;
  totalDebit: number;
  openingBalance: number | null;
  closingBalance: number | null;
  /** The date of the oldest transaction stored for the account, if any. */
  oldest: number | undefined;
}

export interface CompletedLink {
  accountId: string;
  code: string;
  created: boolean;
  /** The account waited for re-authorisation, and this new link of it ended that episode. */
  endedEpisode: EndedEpisode | undefined;
}

export interface CompletedReauth {
  code: string;
  /** The episode this re-authorisation ended; undefined when the account was not waiting for one. */
  endedEpisode: EndedEpisode | undefined;
}

export interface AccountDeps {
  db: Db;
  vault: Vault;
  events: Events;
  codes: Codes;
  institutions: InstitutionRegistry;
  clock: Clock;
  /** The customers accounts are linked for: a link holds its customer's row while it completes. */
  customers: CustomerService;
  metrics: Metrics;
}

/**
 * Linked accounts: their rows, credentials and data, the end of a link and of a
 * re-authorisation, unlinking, and the account's re-authorisation hold. The only code that
 * reads or writes the accounts table outside the sync's own claims (`sync/store.ts`).
 */
export class AccountService {
  private readonly store: AccountStore;
  private readonly episodes = new EpisodeStore();
  private readonly db: Db;
  private readonly vault: Vault;
  private readonly events: Events;
  private readonly codes: Codes;
  private readonly institutions: InstitutionRegistry;
  private readonly clock: Clock;
  private readonly customers: CustomerService;
  private readonly metrics: Metrics;

  constructor(deps: AccountDeps) {
    ({
      db: this.db,
      vault: this.vault,
      events: this.events,
      codes: this.codes,
      institutions: this.institutions,
      clock: this.clock,
      customers: this.customers,
      metrics: this.metrics,
    } = deps);
    this.store = new AccountStore(deps.db);
  }

  toAccount(row: AccountRow): Account {
    const institution = this.institutions.get(row.institution_id);
    if (!institution) throw new Error(`account ${row.id} names unknown institution ${row.institution_id}`);
    return toAccount(row, institution);
  }

  async get(appId: string, id: string): Promise<Account> {
    const row = await this.store.find(appId, id);
    if (!row) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${id}`);
    return this.toAccount(row);
  }

  /** The app's live account, or undefined. */
  async find(appId: string, id: string): Promise<Account | undefined> {
    const row = await this.store.find(appId, id);
    return row && this.toAccount(row);
  }

  /** The app's live account as stored (in `executor`'s transaction, when given), or undefined. */
  findRow(appId: string, id: string, executor?: Db): Promise<AccountRow | undefined> {
    return this.store.find(appId, id, executor);
  }

  /** The app a live account belongs to, whichever app asks (the CLI's sandbox command). */
  async appIdOf(id: string): Promise<string | undefined> {
    return (await this.store.findById(id))?.app_id;
  }

  /**
   * The account's stored login fields. A re-authorisation completing meanwhile replaces the
   * vault record the row named a moment ago, so a record gone from under the read is read again.
   */
  async storedLogin(id: string): Promise<Record<string, string>> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.store.findById(id);
      if (!row?.credentials_secret_id) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${id}`);
      try {
        return JSON.parse(await this.vault.open(row.credentials_secret_id)) as Record<string, string>;
      } catch (error) {
        const now = await this.store.findById(id);
        if (attempt >= 2 || now?.credentials_secret_id === row.credentials_secret_id) throw error;
      }
    }
  }

  /** How many live accounts the customer has, read in `trx` (deleting a customer asks). */
  linkedCount(customerId: string, trx: Db): Promise<number> {
    return this.store.countLinked(customerId, trx);
  }

  /** A page of the app's live accounts that `filter` selects, oldest link first, and how many it selects in all. */
  async list(appId: string, filter: AccountFilter, page: { limit: number; offset: number }): Promise<{ items: Account[]; total: number }> {
    const { rows, total } = await this.store.list(appId, filter, page);
    return { items: rows.map((row) => this.toAccount(row)), total };
  }

  /** A page of the account's transactions, newest first, and how many match in all. */
  async transactions(account: Account, filter: TransactionFilter, page: { limit: number; offset: number }): Promise<{ rows: Transaction[]; total: number }> {
    const { rows, total } = await this.store.transactions(account.id, filter, page);
    return { rows: rows.map(toTransaction), total };
  }

  /** Every stored transaction of the account, oldest first: what its insights are computed from. */
  async ledger(account: Account): Promise<Transaction[]> {
    return (await this.store.ledger(account.id)).map(toTransaction);
  }

  /**
   * The figures of a statement of the account over `start`..`end`: the number of transactions,
   * the totals of credits and debits, the balance when the period starts and when it ends, and
   * the date of the oldest transaction stored. The opening balance is the one before the
   * period's first transaction (its balance less its own amount), so opening + credits − debits
   * is the closing balance even where the bank's history has a gap before the period; a period
   * without transactions opens and closes at the balance after the last one before it, else at
   * the account's own (its last sync's), or null.
   */
  async statementFigures(account: Account, start: number, end: number): Promise<StatementFigures> {
    const f = await this.store.periodFigures(account.id, start, end);
    const signed = (t: { type: 'debit' | 'credit'; amount: number }) => (t.type === 'credit' ? t.amount : -t.amount);
    const opening = f.first ? f.first.balance - signed(f.first) : f.before ? f.before.balance : account.balance;
    const closing = f.last ? f.last.balance : opening;
    return { count: f.count, totalCredit: f.credit, totalDebit: f.debit, openingBalance: opening, closingBalance: closing, oldest: f.oldest };
  }

  /** A page of the account's transactions dated `start`..`end`, in `order` of date, after `after` (a keyset page). */
  async statementTransactions(
    accountId: string,
    range: { start: number; end: number },
    order: 'asc' | 'desc',
    limit: number,
    after?: { date: number; key: string },
  ): Promise<(Transaction & { key: string })[]> {
    const rows = await this.store.periodTransactions(accountId, range, order, limit, after && { date: after.date, id: after.key });
    return rows.map((t) => ({ ...toTransaction(t), key: t.id }));
  }

  /**
   * The sandbox's reset of the bank login: the account's bank session is forgotten (the bank
   * ended it), so its next sync logs in again, due now unless it waits for re-authorisation.
   * `releaseSyncHold`: the reset held the account's sync, and gives it back here.
   */
  async forgetBankSession(appId: string, id: string, releaseSyncHold: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const current = await this.store.lockLive(id, trx, appId);
      if (!current) return;
      if (current.bank_state_secret_id) await this.vault.remove(current.bank_state_secret_id, trx);
      const now = this.clock.now();
      await this.store.update(
        id,
        {
          bank_state_secret_id: null,
          sync_due_at: current.reauth_required ? null : now,
          updated_at: now,
          ...(releaseSyncHold ? { sync_claimed_until: null } : {}),
        },
        trx,
      );
    });
  }

  /**
   * Inside the sync's transaction that moved `row` into `reauth_required` at `at`: the
   * re-authorisation episode begins (its row, migration 0020), with the account's columns.
   */
  beginEpisode(trx: Db, row: AccountRow, cause: ReauthCause, at: number): Promise<void> {
    return this.episodes.begin(trx, { appId: row.app_id, accountId: row.id, institutionId: row.institution_id, cause, at });
  }

  /** Inside a reauth session's transaction: the account's open episode, if any, notes `step` (its first time). */
  noteReauthStep(trx: Db, accountId: string, step: EpisodeStep, at: number): Promise<void> {
    return this.episodes.note(trx, accountId, step, at);
  }

  /** See `AccountStore.holdForReauth`: makes `sessionId` the account's one live reauth session, or answers false. */
  holdForReauth(id: string, sessionId: string, origin: SessionOrigin, now: number, until: number, trx: Db): Promise<boolean> {
    return this.store.holdForReauth(id, sessionId, origin, now, until, trx);
  }

  /** The session holding the account for re-authorisation, while its hold lasts. */
  reauthHolder(id: string, now: number, trx: Db): Promise<{ id: string; expiresAt: number; origin: SessionOrigin } | undefined> {
    return this.store.reauthHolder(id, now, trx);
  }

  /** Lengthens `sessionId`'s hold to `until`, if it still holds the account. */
  extendReauth(id: string, sessionId: string, until: number, trx: Db): Promise<void> {
    return this.store.extendReauth(id, sessionId, until, trx);
  }

  /** Frees the account for another reauth session, if `sessionId` still holds it. */
  releaseReauth(id: string, sessionId: string, trx: Db): Promise<void> {
    return this.store.releaseReauth(id, sessionId, trx);
  }

  /**
   * The end of a successful link, inside the step's transaction: the account (the existing
   * one if this bank account is already linked for this app and customer), its credentials
   * and bank session, a single-use code, and `account_connected`, all or nothing.
   */
  async completeLink(
    trx: Db,
    input: {
      appId: string;
      sessionId: string;
      institutionId: string;
      authMethod: string;
      customerId: string | null;
      linked: BankAccount;
      credentialsSecretId: string;
      bankState: ConnectorState | undefined;
    },
  ): Promise<CompletedLink> {
    const now = this.clock.now();
    // First, as deleting a customer does: the customer's row is held to the end of the link.
    if (input.customerId !== null) await this.customers.holdForLink(trx, input.appId, input.customerId);
    const found = await this.store.findLinked(input.appId, input.institutionId, input.linked.accountNumber, input.customerId, trx);
    const existing = found && (await this.store.lockLive(found.id, trx));
    const bankStateSecretId = input.bankState ? await this.vault.seal('bank_state', JSON.stringify(input.bankState), trx) : null;
    let accountId: string;
    const endedEpisode = existing ? episodeEndedBy(existing, now) : undefined;
    if (existing) {
      accountId = existing.id;
      if (existing.reauth_required === 1) await this.episodes.end(trx, accountId, 'relinked', now);
      for (const old of [existing.credentials_secret_id, existing.bank_state_secret_id]) if (old) await this.vault.remove(old, trx);
      // The new credentials belong to this session's auth method: later syncs log in with it.
      await this.store.update(
        accountId,
        {
          auth_method: input.authMethod,
          credentials_secret_id: input.credentialsSecretId,
          bank_state_secret_id: bankStateSecretId,
          reauth_required: 0,
          reauth_required_at: null,
          reauth_cause: null,
          sync_due_at: now,
          sync_claimed_until: null,
          updated_at: now,
        },
        trx,
      );
    } else {
      accountId = newObjectId();
      const customerId = input.customerId ?? (await this.customers.createForLink(trx, input.appId, input.linked.name));
      await this.store.insert(
        {
          id: accountId,
          app_id: input.appId,
          customer_id: customerId,
          institution_id: input.institutionId,
          auth_method: input.authMethod,
          account_number: input.linked.accountNumber,
          name: input.linked.name,
          type: input.linked.type,
          currency: input.linked.currency,
          balance: input.linked.balance,
          bvn: null,
          identity: null,
          data_status: 'PROCESSING',
          retrieved_data: '[]',
          reauth_required: 0,
          credentials_secret_id: input.credentialsSecretId,
          bank_state_secret_id: bankStateSecretId,
          sync_due_at: now,
          sync_claimed_until: null,
          last_synced_at: null,
          created_at: now,
          updated_at: now,
          unlinked_at: null,
        },
        trx,
      );
    }
    const account = this.toAccount((await this.store.findById(accountId, trx))!);
    // A widget session or hosted link carries the partner's reference: webhooks show it as meta.ref.
    const ref =
      (await trx.selectFrom('connect_sessions').select('reference').where('session_id', '=', input.sessionId).executeTakeFirst())?.reference ?? undefined;
    await this.events.record(trx, { appId: input.appId, type: 'mono.events.account_connected', accountId, data: payloads.accountConnected(account, ref) });
    const code = await this.codes.issue(trx, { appId: input.appId, accountId, sessionId: input.sessionId });
    return { accountId, code, created: !existing, endedEpisode };
  }

  /**
   * The end of a successful re-authorisation, inside the step's transaction: the login's
   * credentials (the session's newly typed ones, or a fresh copy of the stored ones, so a sync
   * still holding the old ones cannot write over this) and its bank session replace the old
   * in the vault, the account leaves `reauth_required` and is due for a sync at once, the
   * account's reauth hold is released, `account_reauthorized` is recorded, and a code for the
   * same account id is issued. Returns the code, and the episode it ended for the caller to
   * report once the transaction has committed.
   */
  async completeReauth(
    trx: Db,
    input: { appId: string; accountId: string; sessionId: string; credentialsSecretId: string | null; bankState: ConnectorState },
  ): Promise<CompletedReauth> {
    const now = this.clock.now();
    const row = await this.store.lockLive(input.accountId, trx, input.appId);
    if (!row || !row.credentials_secret_id)
      throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${input.accountId}: it was unlinked during the re-authorisation`);
    // Only the session that holds the account completes it: a superseded or cancelled one never does.
    if (row.reauth_session_id !== input.sessionId)
      throw new DomainError('SESSION_CANCELLED', 'This re-authorisation was superseded by a newer one; nothing was changed');
    const credentialsId = input.credentialsSecretId ?? (await this.vault.seal('bank_credentials', await this.vault.open(row.credentials_secret_id, trx), trx));
    for (const old of [row.credentials_secret_id, row.bank_state_secret_id]) if (old) await this.vault.remove(old, trx);
    const bankStateId = await this.vault.seal('bank_state', JSON.stringify(input.bankState), trx);
    await this.store.update(
      row.id,
      {
        credentials_secret_id: credentialsId,
        bank_state_secret_id: bankStateId,
        reauth_required: 0,
        reauth_required_at: null,
        reauth_cause: null,
        reauth_session_id: null,
        reauth_session_expires_at: null,
        reauth_session_origin: null,
        last_sync_error: null,
        sync_due_at: now,
        sync_claimed_until: null,
        updated_at: now,
      },
      trx,
    );
    if (row.reauth_required === 1) await this.episodes.end(trx, row.id, 'completed', now);
    await this.events.record(trx, { appId: input.appId, type: 'mono.events.account_reauthorized', accountId: row.id, data: payloads.accountOnly(row.id) });
    const code = await this.codes.issue(trx, { appId: input.appId, accountId: row.id, sessionId: input.sessionId });
    return { code, endedEpisode: episodeEndedBy(row, now) };
  }

  /** Deletes stored credentials and data; the account id answers 404 from now on. */
  async unlink(appId: string, id: string): Promise<void> {
    const now = this.clock.now();
    const endedEpisode = await this.events.transaction(async (trx) => {
      const row = await this.store.lockLive(id, trx, appId);
      if (!row) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${id}`);
      for (const secret of [row.credentials_secret_id, row.bank_state_secret_id, identitySecretOf(row.identity)])
        if (secret) await this.vault.remove(secret, trx);
      await this.store.deleteData(id, trx);
      if (row.reauth_required === 1) await this.episodes.end(trx, id, 'unlinked', now);
      await this.store.update(
        id,
        {
          unlinked_at: now,
          updated_at: now,
          reauth_session_id: null,
          reauth_session_expires_at: null,
          reauth_session_origin: null,
          reauth_required_at: null,
          reauth_cause: null,
          credentials_secret_id: null,
          bank_state_secret_id: null,
          identity: null,
          bvn: null,
          balance: null,
          sync_due_at: null,
          retrieved_data: '[]',
          data_status: 'UNAVAILABLE',
        },
        trx,
      );
      await this.events.record(trx, { appId, type: 'mono.events.account_unlinked', accountId: id, data: payloads.accountOnly(id) });
      return episodeEndedBy(row, now);
    });
    if (endedEpisode) this.metrics.reauthEpisodeEnded(endedEpisode, 'unlinked');
  }

  /** Queues a data sync now. An account waiting for re-authorisation cannot sync. */
  async requestSync(appId: string, id: string): Promise<Account> {
    const account = await this.get(appId, id);
    if (account.reauthRequired) {
      throw new DomainError('REAUTHORISATION_REQUIRED', 'This account needs re-authorisation before it can sync; start a reauth session');
    }
    await this.store.update(id, { sync_due_at: this.clock.now(), updated_at: this.clock.now() });
    return account;
  }
}

function toTransaction(t: TransactionRow): Transaction {
  return {
    id: t.id.split(':')[1] ?? t.id,
    type: t.type,
    amount: t.amount,
    narration: t.narration,
    date: t.date,
    balance: t.balance,
    currency: t.currency,
  };
}

/**
 * The re-authorisation episode a change to `row` (as locked before it) ends at `now`: none when
 * the account was not waiting, or began waiting before migration 0017 noted when and why.
 */
function episodeEndedBy(row: AccountRow, now: number): EndedEpisode | undefined {
  if (row.reauth_required !== 1 || row.reauth_required_at === null || row.reauth_cause === null) return undefined;
  return { cause: row.reauth_cause, institution: row.institution_id, seconds: Math.max(0, now - row.reauth_required_at) / 1000 };
}
