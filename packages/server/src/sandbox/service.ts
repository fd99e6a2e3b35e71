import type { AccountService } from '../accounts/service.ts';
import type { SyncResult, SyncWorker } from '../sync/worker.ts';
import type { App } from '../apps/service.ts';
import type { Connectors } from '../connectors/registry.ts';
import { type CurrentPassword, SANDBOX_CREDENTIALS, type SandboxBank } from '../connectors/sandbox/index.ts';
import { hasSandboxControls, type ResetReason } from '../connectors/types.ts';
import type { InstitutionRegistry } from '../institutions/registry.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { DomainError } from '../lib/errors.ts';

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
 * Sandbox controls (docs/contract.md §7): force a linked account's next bank login into a case, as a
 * real bank would by expiring its session and asking for MFA or a new password, then run the
 * account's sync at once so `reauthorisation_required` follows within seconds.
 */
export interface SandboxDeps {
  connectors: Connectors;
  institutions: InstitutionRegistry;
  accounts: AccountService;
  sync: SyncWorker;
  /** The sandbox bank whose state lives in this database. */
  bank: SandboxBank;
}

/** A listed sandbox user's changed password at one sandbox bank, with the bank's name. */
export type ChangedSandboxPassword = CurrentPassword & { institution: string };

/** The users `GET /v2/connect/sandbox`, the demo page and the widget's hint name. */
const LISTED_USERS = SANDBOX_CREDENTIALS.map((c) => c.values.username);

export class SandboxService {
  constructor(private readonly deps: SandboxDeps) {}

  async resetLogin(app: Pick<App, 'id' | 'mode'>, accountId: string, reason: ResetReason): Promise<ResetLogin> {
    const { accounts, sync, connectors, institutions } = this.deps;
    if (app.mode !== 'test') throw new DomainError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
    const row = await accounts.findRow(app.id, accountId);
    if (!row || !row.credentials_secret_id) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${accountId}`);
    const institution = institutions.get(row.institution_id)!;
    const connector = connectors.get(institution.connector);
    if (!hasSandboxControls(connector))
      throw new DomainError('INVALID_INPUT', `${institution.name} is not a sandbox institution; reset-login works only for sandbox accounts`);
    // A sync that logged in before the reset would keep a bank session the reset is meant to
    // end, and a sync already running makes this one's run a no-op: hold the account's sync first.
    const held = await this.holdSync(row.id);
    let reset: { username: string; newPassword?: string };
    try {
      reset = await connector.resetLogin(institution.id, await accounts.storedLogin(row.id), reason);
      // The bank ends the user's sessions, so the next sync must log in again and meet the case.
      await accounts.forgetBankSession(app.id, row.id, held);
    } catch (error) {
      if (held) await sync.release(row.id);
      throw error;
    }
    const result = (await sync.runOne(row.id))?.result ?? 'not_run';
    const after = await accounts.get(app.id, row.id);
    return { account: row.id, reason, username: reset.username, newPassword: reset.newPassword ?? null, sync: result, reauthRequired: after.reauthRequired };
  }

  /**
   * Every sandbox bank user of this database back as the bank began: the default password
   * (`pass_good`), no forced OTP. The bank is shared by every test-mode app, as reset-login's
   * changes are; accounts are not touched. Returns how many users had changed.
   */
  async restore(): Promise<{ users: number }> {
    return { users: await this.deps.bank.restore() };
  }

  /** The listed sandbox users whose password a reset changed, at each sandbox institution (with its name). */
  async changedPasswords(): Promise<ChangedSandboxPassword[]> {
    const changed = await this.deps.bank.currentPasswords(LISTED_USERS);
    return changed.map((c) => ({ ...c, institution: this.deps.institutions.get(c.institutionId)?.name ?? c.institutionId }));
  }

  /**
   * Claims the account's sync, waiting (up to 15 s) for a sync in flight to finish; false when
   * there is nothing to hold (the account waits for reauth, or the wait ran out).
   */
  private async holdSync(accountId: string): Promise<boolean> {
    for (const started = Date.now(); Date.now() - started < 15_000; await delay(25)) {
      if (await this.deps.sync.hold(accountId, HOLD_MS)) return true;
      if (!(await this.deps.sync.syncable(accountId))) return false;
    }
    return false;
  }
}
