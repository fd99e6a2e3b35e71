import type { AccountService } from '../accounts/service.ts';
import type { SyncResult, SyncWorker } from '../sync/worker.ts';
import type { App } from '../apps/service.ts';
import type { Connectors } from '../connectors/registry.ts';
import { hasSandboxControls, type ResetReason } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { InstitutionRegistry } from '../institutions/registry.ts';
import type { Clock } from '../lib/clock.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { DomainError } from '../lib/errors.ts';
import type { Vault } from '../vault/vault.ts';

/** How long the reset holds the account's sync while it resets the bank login. */
const HOLD_MS = 60_000;

export interface ResetLogin {
  account: string;
  reason: ResetReason;
  username: string;
  /** The user's password at the sandbox bank from now on (password_changed only). */
  newPassword: string | null;
  /** What the sync run by the reset found: `reauth_required` unless the account already waited for reauth. */
  sync: SyncResult | 'not_run';
  reauthRequired: boolean;
}

/**
 * Sandbox controls (CONTRACT §7): force a linked account's next bank login into a case, as a
 * real bank would by expiring its session and asking for MFA or a new password, then run the
 * account's sync at once so `reauthorisation_required` follows within seconds.
 */
export class SandboxService {
  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
    private readonly connectors: Connectors,
    private readonly institutions: InstitutionRegistry,
    private readonly accounts: AccountService,
    private readonly sync: SyncWorker,
    private readonly clock: Clock,
  ) {}

  async resetLogin(app: Pick<App, 'id' | 'mode'>, accountId: string, reason: ResetReason): Promise<ResetLogin> {
    if (app.mode !== 'test') throw new DomainError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
    const row = await this.accounts.store.find(app.id, accountId);
    if (!row || !row.credentials_secret_id) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${accountId}`);
    const institution = this.institutions.get(row.institution_id)!;
    const connector = this.connectors.get(institution.connector);
    if (!hasSandboxControls(connector)) throw new DomainError('INVALID_INPUT', `${institution.name} is not a sandbox institution; reset-login works only for sandbox accounts`);
    // A sync that logged in before the reset would keep a bank session the reset is meant to
    // end, and a sync already running makes this one's run a no-op: hold the account's sync first.
    const held = await this.holdSync(row.id);
    let reset: { username: string; newPassword?: string };
    try {
      reset = await connector.resetLogin(institution.id, await this.credentialsOf(row.id), reason);
      // The bank ends the user's sessions, so the next sync must log in again and meet the case.
      await this.db.transaction().execute(async (trx) => {
        const current = await this.accounts.store.lockLive(row.id, trx, app.id);
        if (!current) return;
        if (current.bank_state_secret_id) await this.vault.remove(current.bank_state_secret_id, trx);
        const now = this.clock.now();
        await this.accounts.store.update(
          row.id,
          { bank_state_secret_id: null, sync_due_at: current.reauth_required ? null : now, updated_at: now, ...(held ? { sync_claimed_until: null } : {}) },
          trx,
        );
      });
    } catch (error) {
      if (held) await this.accounts.store.update(row.id, { sync_claimed_until: null });
      throw error;
    }
    const sync = (await this.sync.runOne(row.id)) ?? 'not_run';
    const after = await this.accounts.get(app.id, row.id);
    return { account: row.id, reason, username: reset.username, newPassword: reset.newPassword ?? null, sync, reauthRequired: after.reauthRequired };
  }

  /**
   * The account's stored login. A re-authorisation completing meanwhile replaces the vault
   * record the row named a moment ago, so a record gone from under the read is read again.
   */
  private async credentialsOf(accountId: string): Promise<Record<string, string>> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.accounts.store.findById(accountId);
      if (!row?.credentials_secret_id) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${accountId}`);
      try {
        return JSON.parse(await this.vault.open(row.credentials_secret_id)) as Record<string, string>;
      } catch (error) {
        const now = await this.accounts.store.findById(accountId);
        if (attempt >= 2 || now?.credentials_secret_id === row.credentials_secret_id) throw error;
      }
    }
  }

  /**
   * Claims the account's sync, waiting (up to 15 s) for a sync in flight to finish; false when
   * there is nothing to hold (the account waits for reauth, or the wait ran out).
   */
  private async holdSync(accountId: string): Promise<boolean> {
    for (const started = Date.now(); Date.now() - started < 15_000; await delay(25)) {
      const now = this.clock.now();
      if (await this.accounts.store.claimSync(accountId, now, now + HOLD_MS)) return true;
      const row = await this.accounts.store.findById(accountId);
      if (!row || row.reauth_required === 1 || row.unlinked_at !== null) return false;
    }
    return false;
  }
}
