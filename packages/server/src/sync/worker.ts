import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/registry.ts';
import type { AccountData, ConnectorState, FetchOutcome } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { Capabilities } from '../db/dialects/types.ts';
import { GroupCommit } from '../db/group_commit.ts';
import type { AccountRow, ReauthCause } from '../db/schema.ts';
import type { Events } from '../events/events.ts';
import type { Clock } from '../lib/clock.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Vault } from '../vault/vault.ts';
import { CoalescedPass } from '../lib/coalesce.ts';
import { type Answer, readFetch, readLogin } from './answer.ts';
import { loginAsLinked } from './bank_login.ts';
import { SyncStore } from './store.ts';
import { payloads } from '../accounts/model.ts';
import type { AccountService } from '../accounts/service.ts';
import { identitySecretOf, sealIdentity } from '../accounts/identity.ts';

const RETRY_MS = 15 * 60_000;

/** `stale`: the account was unlinked or linked again while the bank answered; nothing was written. */
export type SyncResult = 'synced' | 'reauth_required' | 'failed' | 'stale';

/** What one sync did, and whether the bank had anything the account did not: new transactions or another balance. */
export interface SyncRun {
  result: SyncResult;
  hasNewData: boolean;
}

const run = (result: SyncResult, hasNewData = false): SyncRun => ({ result, hasNewData });

/** Accounts one claim takes, at most; twice as many may be unfinished (at the bank or writing) at once. */
const CLAIM_AHEAD = 64;

/**
 * A claim that waited this long for a bank slot is read again before the bank is called: the
 * account may have been unlinked (its credentials deleted) or linked again meanwhile.
 */
const RECHECK_AFTER_MS = 1_000;

/** What a sync reads from the vault before it calls the bank: opens a record by id. */
type Secrets = (id: string) => string;

interface Claimed {
  row: AccountRow;
  secrets: Promise<Secrets>;
  holdUntil: number;
}

export interface SyncDeps {
  db: Db;
  capabilities?: Pick<Capabilities, 'skipLocked'>;
  vault: Vault;
  connectors: Connectors;
  accounts: AccountService;
  events: Events;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** How long after a good sync the next is due. */
  intervalMs: number;
  /** How long before the bank's login expiry (`AccountData.loginExpiresAt`) `reauthorisation_due` is sent. Default a week. */
  reauthDueLeadMs?: number;
  /** How long a claim holds an account: a crashed worker's accounts are taken over after it. */
  claimMs?: number;
  /** Awaited before each batch of writes: the database's brake for background writers (`DialectSetup.beforeBackgroundWrite`). */
  beforeWrite?: () => Promise<void> | undefined;
}

/**
 * Data sync. Which accounts need one is state in the database (`sync_due_at`), so a sync
 * asked for survives a restart and any instance may run it; claiming an account is one
 * guarded update. A sync first uses the bank session the link left behind; when that is
 * gone it logs in again with the stored credentials, and if the bank then wants MFA or
 * rejects the password the account needs re-authorisation (docs/contract.md §5). From then on no
 * sync is claimed for it, so the bank sees no further login until the user re-authorises.
 *
 * What a sync writes once the bank has answered is one write of a group commit
 * (`db/group_commit.ts`): syncs that finish together share a transaction, and one whose writes
 * fail leaves the others written and itself as before.
 */
export class SyncWorker {
  private timer: NodeJS.Timeout | undefined;
  private readonly passes: CoalescedPass;
  private readonly writes: GroupCommit;
  private stopped = false;
  private readonly store: SyncStore;
  private readonly vault: Vault;
  private readonly connectors: Connectors;
  private readonly accounts: AccountService;
  private readonly events: Events;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly intervalMs: number;
  private readonly claimMs: number;
  private readonly reauthDueLeadMs: number;
  private readonly pollMs = 2_000;
  /** Syncs running at once in one sweep (each is one bank session; banks answer slowly, not heavily). */
  private readonly concurrency = 8;

  constructor(deps: SyncDeps) {
    ({
      vault: this.vault,
      connectors: this.connectors,
      accounts: this.accounts,
      events: this.events,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
      intervalMs: this.intervalMs,
    } = deps);
    this.claimMs = deps.claimMs ?? 5 * 60_000;
    this.reauthDueLeadMs = deps.reauthDueLeadMs ?? 7 * 86_400_000;
    this.store = new SyncStore(deps.db, deps.capabilities);
    const beforeWrite = deps.beforeWrite ?? (() => undefined);
    this.passes = new CoalescedPass(async () => void (await this.runDue()), {
      stopped: () => this.stopped,
      onError: (error) => this.logger.error({ err: error }, 'sync pass failed'),
    });
    this.writes = new GroupCommit(
      (work) => this.events.transaction(work),
      () => beforeWrite(),
    );
  }

  start() {
    this.stopped = false;
    this.timer = setInterval(() => void this.wake(), this.pollMs);
    this.timer.unref();
    void this.wake();
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
   * Holds the account's sync for `ms` (no worker claims it meanwhile) unless a worker holds it
   * now or it waits for re-authorisation: answers whether it is held. `release` gives it back.
   */
  async hold(accountId: string, ms: number): Promise<boolean> {
    const now = this.clock.now();
    return (await this.store.claimSync(accountId, now, now + ms)) !== undefined;
  }

  /** Ends a `hold` (or any claim) of the account's sync. */
  async release(accountId: string): Promise<void> {
    await this.store.update(accountId, { sync_claimed_until: null });
  }

  /** Whether the account could ever be synced again: linked, and not waiting for re-authorisation. */
  async syncable(accountId: string): Promise<boolean> {
    const row = await this.store.findById(accountId);
    return !!row && row.reauth_required === 0;
  }

  /**
   * Syncs this account now, unless another worker holds it or it waits for re-authorisation;
   * returns what happened, or undefined when it was not this call's to run. `jobId`: the
   * real-time job (`sync/realtime.ts`) it runs for, named in its `account_updated`.
   */
  async runOne(accountId: string, jobId?: string): Promise<SyncRun | undefined> {
    const now = this.clock.now();
    const row = await this.store.claimSync(accountId, now, now + this.claimMs);
    if (!row) return undefined;
    const started = performance.now();
    let outcome: SyncRun;
    try {
      outcome = await this.write(row, await this.ask(row, this.secretsOf([row])), jobId);
    } catch (error) {
      outcome = run(await this.postpone(row, error));
    }
    this.metrics.syncFinished(outcome.result, secondsSince(started));
    return outcome;
  }

  /**
   * Syncs every account that is due; returns how many were attempted. Up to `concurrency`
   * syncs are at the bank at once (a bank's answer takes hundreds of milliseconds: one at a
   * time, a sweep over 100,000 accounts would take hours). Accounts are claimed up to
   * `CLAIM_AHEAD` at a time, in one statement, and their vault records read in one more; a
   * sync whose bank has answered frees its slot while its writes wait for their batch
   * (`GroupCommit`), so a fast bank fills batches of many syncs. A claim that waited for a slot
   * is read again before its bank call (`RECHECK_AFTER_MS`), and one not started within half
   * its lease is given back rather than run on a hold about to lapse.
   */
  async runDue(): Promise<number> {
    let count = 0;
    let atBank = 0;
    const waiting: Claimed[] = [];
    const unfinished = new Set<Promise<void>>();
    let changed = () => {};
    while (!this.stopped) {
      while (atBank < this.concurrency && waiting.length > 0) {
        const { row, secrets, holdUntil } = waiting.shift()!;
        const waited = this.clock.now() - (holdUntil - this.claimMs);
        if (waited > this.claimMs / 2) {
          await this.store.releaseSync(row.id, holdUntil);
          continue;
        }
        if (waited >= RECHECK_AFTER_MS && !(await this.stillClaimed(row, holdUntil))) continue;
        atBank++;
        const started = performance.now();
        const asked = this.ask(row, secrets).finally(() => {
          atBank--;
          changed();
        });
        const done: Promise<void> = asked
          .then(async (answer) => (await this.write(row, answer)).result)
          .catch((error: unknown) => this.postpone(row, error))
          .then((result) => this.metrics.syncFinished(result, secondsSince(started)))
          .catch((error: unknown) => {
            this.metrics.syncFinished('failed', secondsSince(started));
            this.logger.error({ err: error, accountId: row.id }, 'sync failed and could not be postponed');
          })
          .finally(() => {
            unfinished.delete(done);
            changed();
          });
        unfinished.add(done);
      }
      if (waiting.length === 0 && unfinished.size < 2 * CLAIM_AHEAD) {
        const now = this.clock.now();
        const holdUntil = now + this.claimMs;
        const rows = await this.store.claimDueSyncs(now, holdUntil, Math.min(CLAIM_AHEAD, 2 * CLAIM_AHEAD - unfinished.size));
        if (rows.length === 0 && unfinished.size === 0) break;
        count += rows.length;
        const secrets = this.secretsOf(rows);
        for (const row of rows) waiting.push({ row, secrets, holdUntil });
        if (rows.length > 0) continue;
      }
      await new Promise<void>((resolve) => (changed = resolve));
    }
    for (const { row, holdUntil } of waiting) await this.store.releaseSync(row.id, holdUntil);
    await Promise.all(unfinished);
    return count;
  }

  /** Whether the account is still held by this claim, and linked with the credentials read when it was claimed. */
  private async stillClaimed(row: AccountRow, holdUntil: number): Promise<boolean> {
    const current = await this.store.findById(row.id);
    return current?.sync_claimed_until === holdUntil && current.credentials_secret_id === row.credentials_secret_id;
  }

  /** A sync that threw. Unlinked or linked again mid-sync (its vault records gone with the old link): the account's current state already says what happens next. */
  private async postpone(row: AccountRow, error: unknown): Promise<SyncResult> {
    const postponed = await this.writeIfCurrent(row, (trx) =>
      this.store.update(row.id, { sync_claimed_until: null, sync_due_at: this.clock.now() + RETRY_MS }, trx),
    );
    if (postponed) this.logger.error({ err: error, accountId: row.id }, 'sync failed unexpectedly');
    else this.logger.info({ accountId: row.id }, 'sync abandoned: the account was unlinked or linked again meanwhile');
    return postponed ? 'failed' : 'stale';
  }

  /**
   * The claimed accounts' credentials and bank sessions, read together, so each pair belongs to
   * the same link; and their identity records, so an identity the bank sends unchanged is not
   * written again.
   */
  private secretsOf(rows: AccountRow[]): Promise<Secrets> {
    return this.vault.openMany(
      rows.flatMap((row) => [row.credentials_secret_id, row.bank_state_secret_id, identitySecretOf(row.identity)].filter((id): id is string => id !== null)),
    );
  }

  /** The bank's part of a sync: fetch with the stored bank session, or log in again when it is gone. */
  private async ask(row: AccountRow, secrets: Promise<Secrets>): Promise<Answer> {
    const institution = this.accounts.toAccount(row).institution;
    const connector = this.connectors.get(institution.connector);
    const unavailable = (timeout: Error) => ({ kind: 'unavailable' as const, message: timeout.message });
    const fetchWith = (bankState: ConnectorState) =>
      this.connectors.call((ctx) => connector.fetchData(bankState, row.account_number, { since: row.last_synced_at ?? undefined }, ctx), unavailable);
    const open = await secrets;
    const state = row.bank_state_secret_id ? (JSON.parse(open(row.bank_state_secret_id)) as ConnectorState) : undefined;
    const fields = row.credentials_secret_id ? (JSON.parse(open(row.credentials_secret_id)) as Record<string, string>) : {};
    let newState: ConnectorState | undefined;
    let fetched: FetchOutcome = state ? await fetchWith(state) : { kind: 'session_expired', message: 'no bank session' };
    if (fetched.kind === 'session_expired') {
      const login = readLogin(
        await loginAsLinked(this.connectors, connector, { institutionId: institution.id, authMethod: row.auth_method, fields }, row.account_number),
      );
      if (login.kind === 'reauth') return login;
      if (login.kind === 'unavailable') fetched = login;
      else {
        newState = login.state;
        fetched = await fetchWith(newState);
      }
    }
    return readFetch(fetched, newState, () => storedIdentity(open, row.identity));
  }

  private write(row: AccountRow, answer: Answer, jobId?: string): Promise<SyncRun> {
    if (answer.kind === 'data') return this.keep(row, answer.data, answer.newState, answer.storedIdentity, jobId);
    if (answer.kind === 'reauth') return this.requireReauth(row, answer.reason, answer.cause, jobId);
    return this.fail(row, answer.reason, jobId);
  }

  /** The bank could not be reached or did not answer: retried in `RETRY_MS`; the data of the last good sync stays. */
  private async fail(row: AccountRow, reason: string, jobId?: string): Promise<SyncRun> {
    const written = await this.writeIfCurrent(row, async (trx, current) => {
      const now = this.clock.now();
      const changes = {
        sync_claimed_until: null,
        sync_due_at: now + RETRY_MS,
        data_status: row.last_synced_at ? row.data_status : ('FAILED' as const),
        last_sync_error: reason,
        updated_at: now,
      };
      await this.store.update(row.id, changes, trx);
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.sync_failed', accountId: row.id, data: payloads.syncFailed(row.id, reason) });
      await this.recordUpdated(trx, { ...current, ...changes }, 'FAILED', reason, jobId);
    });
    return run(written ? 'failed' : 'stale');
  }

  /**
   * The bank answered for the account as it was when claimed. Unlinked since, its data stays
   * deleted (docs/contract.md §4) and no event is sent; linked again since, the new link's credentials
   * and bank session win. The row stays locked until the transaction ends, so an unlink or
   * relink cannot slip in between this check and `write`, which is given the row as locked.
   * Returns whether `write` ran; resolves once its batch has committed (`GroupCommit`).
   */
  private writeIfCurrent(row: AccountRow, write: (trx: Db, current: AccountRow) => Promise<void>): Promise<boolean> {
    return this.writes.run(row.id, async (trx) => {
      const current = await this.store.lockLive(row.id, trx);
      if (!current || current.credentials_secret_id !== row.credentials_secret_id) return false;
      await write(trx, current);
      return true;
    });
  }

  /**
   * The bank's data, written if the account is still the one claimed (as `writeIfCurrent`, but
   * the guard is the account's update itself: one statement fewer on the sweep's common path).
   * `newState`: the bank session a login of this sync opened; without one the stored session
   * served and stays as it is. A vault record the account already has is resealed in place; the
   * identity only when it changed (`storedIdentity`, read at the claim: only a sync, under its
   * claim, writes that record).
   */
  private async keep(
    row: AccountRow,
    data: AccountData,
    newState: ConnectorState | undefined,
    storedIdentity: string | undefined,
    jobId: string | undefined,
  ): Promise<SyncRun> {
    const now = this.clock.now();
    let hasNewData = false;
    const written = await this.writes.run(row.id, async (trx) => {
      const account = await this.store.updateIfLinkedWith(
        row.id,
        row.credentials_secret_id,
        {
          name: data.account.name,
          type: data.account.type,
          currency: data.account.currency,
          balance: data.account.balance,
          bvn: data.account.bvn,
          data_status: 'AVAILABLE',
          retrieved_data: JSON.stringify(['identity', 'balance', 'transactions']),
          last_synced_at: now,
          last_sync_error: null,
          login_expires_at: loginExpiry(data),
          sync_due_at: now + this.intervalMs,
          sync_claimed_until: null,
          updated_at: now,
        },
        trx,
      );
      if (!account) return false;
      const inserted = await this.store.insertTransactions(
        data.transactions.map((t) => ({
          id: `${row.id}:${t.id}`,
          account_id: row.id,
          bank_id: t.id,
          type: t.type,
          amount: t.amount,
          narration: t.narration,
          date: t.date,
          balance: t.balance,
          currency: t.currency,
          created_at: now,
        })),
        trx,
      );
      const identityJson = JSON.stringify(data.identity);
      // storedIdentity is set only for a sealed record, so equal columns mean that same record.
      const unchanged = storedIdentity === identityJson && account.identity === row.identity;
      const identity = unchanged ? account.identity! : await sealIdentity(this.vault, account.identity, identityJson, trx);
      let bankStateId = account.bank_state_secret_id;
      if (newState && bankStateId) await this.vault.reseal(bankStateId, JSON.stringify(newState), trx);
      else if (newState) bankStateId = await this.vault.seal('bank_state', JSON.stringify(newState), trx);
      if (identity !== account.identity || bankStateId !== account.bank_state_secret_id) {
        await this.store.update(row.id, { identity, bank_state_secret_id: bankStateId }, trx);
      }
      hasNewData = inserted > 0 || account.balance !== row.balance;
      await this.warnBeforeExpiry(trx, account, now);
      await this.recordUpdated(trx, { ...account, identity, bank_state_secret_id: bankStateId }, 'SUCCESSFUL', undefined, jobId, hasNewData);
      return true;
    });
    return written ? run('synced', hasNewData) : run('stale');
  }

  /**
   * `reauthorisation_due` once the bank's login expiry is within the lead time, once per expiry:
   * the guarded update lets one sync (of one instance) record it, and a new expiry (after a
   * re-authorisation, or a bank that moves it) warns again.
   */
  private async warnBeforeExpiry(trx: Db, account: AccountRow, now: number) {
    const expiresAt = account.login_expires_at;
    if (expiresAt === null || now < expiresAt - this.reauthDueLeadMs || account.reauth_due_notified_for === expiresAt) return;
    if (!(await this.store.markReauthDue(account.id, expiresAt, trx))) return;
    await this.events.record(trx, {
      appId: account.app_id,
      type: 'mono.events.reauthorisation_due',
      accountId: account.id,
      data: payloads.reauthDue(account.id, expiresAt),
    });
  }

  /** `account_updated` for the account as this transaction has just written it; a real-time job's names the job. */
  private async recordUpdated(
    trx: Db,
    written: AccountRow,
    status: 'SUCCESSFUL' | 'FAILED' | 'REAUTHORISATION_REQUIRED',
    reason?: string,
    jobId?: string,
    hasNewData = false,
  ) {
    const account = this.accounts.toAccount(written);
    await this.events.record(trx, {
      appId: account.appId,
      type: 'mono.events.account_updated',
      accountId: account.id,
      data: payloads.accountUpdated(account, status, reason, jobId === undefined ? undefined : { jobId, hasNewData }),
    });
  }

  /**
   * The account needs re-authorisation. `reauthorisation_required` (and an `account_updated`
   * saying why) is recorded once per episode: only by the sync that moved the account into it,
   * which also notes when and why the episode began (its end is measured from there).
   */
  private async requireReauth(row: AccountRow, reason: string, cause: ReauthCause, jobId?: string): Promise<SyncRun> {
    let entered = false;
    const written = await this.writeIfCurrent(row, async (trx, current) => {
      const now = this.clock.now();
      entered = current.reauth_required === 0;
      const changes = {
        reauth_required: 1,
        last_sync_error: reason,
        sync_due_at: null,
        sync_claimed_until: null,
        updated_at: now,
        ...(entered ? { reauth_required_at: now, reauth_cause: cause } : {}),
      };
      await this.store.update(row.id, changes, trx);
      if (!entered) return;
      await this.accounts.beginEpisode(trx, current, cause, now);
      await this.events.record(trx, { appId: row.app_id, type: 'mono.events.reauthorisation_required', accountId: row.id, data: payloads.accountOnly(row.id) });
      await this.recordUpdated(trx, { ...current, ...changes }, 'REAUTHORISATION_REQUIRED', reason, jobId);
    });
    if (!written) return run('stale');
    if (entered) {
      this.logger.info({ accountId: row.id, reason }, 'account needs re-authorisation');
      this.metrics.reauthEpisodeStarted(cause, row.institution_id);
    }
    return run('reauth_required');
  }
}

/** The sealed identity's JSON as claimed, or undefined (none yet, stored before sealing, or a record that does not open). */
function storedIdentity(open: Secrets, stored: string | null): string | undefined {
  const id = identitySecretOf(stored);
  if (!id) return undefined;
  try {
    return open(id);
  } catch {
    return undefined;
  }
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** The bank's login expiry from a connector's data, when it is a time Relink can keep (whole epoch ms). */
function loginExpiry(data: AccountData): number | null {
  const at = data.loginExpiresAt;
  return typeof at === 'number' && Number.isFinite(at) && at > 0 ? Math.trunc(at) : null;
}
