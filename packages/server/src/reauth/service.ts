import type { AccountService } from '../accounts/service.ts';
import type { App } from '../apps/service.ts';
import type { Db } from '../db/database.ts';
import type { SessionOrigin } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newSessionId } from '../lib/ids.ts';
import type { ReauthReason, StartMode, StartReply, StepReply } from '../sessions/machine.ts';
import type { CreatedSession, SessionService } from '../sessions/service.ts';
import { ReauthTokens } from './tokens.ts';

export interface ReauthDeps {
  db: Db;
  accounts: AccountService;
  sessions: SessionService;
  clock: Clock;
  /** How long a v1 reauth token lives (as long as a code: 10 minutes by default, Mono's documented lifetime). */
  tokenTtlMs: number;
  /** The bank connectors' timeout: a start holds its account a little longer than its background login may take. */
  connectorTimeoutMs: number;
}

/** A re-authorisation the partner started: its session, the account, and the background login's reply. */
export interface StartedReauth {
  session: CreatedSession;
  accountId: string;
  reply: StartReply;
}

/** What starting a re-authorisation gives the widget: its session and the first step's reply. */
export interface PersonReauth {
  session: { id: string; expiresAt: number };
  /** The account's bank, so the widget can name it. */
  institution: { id: string; name: string };
  /** 99 when the background login went through; 102 (the bank's challenge, or the login form) or 400 otherwise. */
  reply: StepReply;
  /** With a 102: the step that answers it, `login` or `commit` (MFA). */
  next: 'login' | 'commit' | null;
  /** With a 102: why the person is asked (the widget says so truthfully). */
  reason: ReauthReason | null;
}

/** A start whose background login has not answered holds its account at most this long (a minute). */
const START_LEASE_MS = 60_000;

/**
 * Re-authorisation: the v1 reauth token (seed 000), and every start of a reauth session, from
 * a token, the v2 API (seed 003), the widget or a hosted link. Which account a start opens and
 * who may start one while another is live is decided here; the session's steps and what their
 * completion writes are the session engine's (`sessions/`) and the account's (`accounts/`).
 */
export class ReauthService {
  private readonly tokens: ReauthTokens;

  constructor(private readonly deps: ReauthDeps) {
    this.tokens = new ReauthTokens(deps.db, deps.clock, deps.tokenTtlMs);
  }

  /** `POST /accounts/{id}/reauthorise`: a token that opens one reauth session for this account. */
  async issueToken(appId: string, accountId: string): Promise<{ token: string; expiresAt: number }> {
    const account = await this.deps.accounts.get(appId, accountId);
    return this.tokens.issue(appId, account.id);
  }

  /**
   * Opens a re-authorisation of `target` (an account id, or a v1 reauth token): one guarded
   * write makes it the account's only live reauth session, then Relink logs in in the background
   * with the stored credentials. The session is claimed from birth, so no step can run before
   * that login has answered.
   *
   * `origin` is who asked: a start the partner issued supersedes a live one a public-key holder
   * started (which is cancelled), any start supersedes a public one, and otherwise the account
   * is 409 `REAUTH_IN_PROGRESS`, naming the live session to the partner. `mode` is who waits for
   * the answer (see `StartMode`): the widget's person must log in even when the bank needs nothing.
   */
  async start(
    app: App,
    target: { accountId: string } | { token: string },
    options: { origin: SessionOrigin; mode: StartMode } = { origin: 'partner', mode: 'background' },
  ): Promise<StartedReauth> {
    const { db, accounts, sessions, clock } = this.deps;
    const now = clock.now();
    const id = newSessionId();
    const { opened, account } = await db.transaction().execute(async (trx) => {
      const accountId = 'token' in target ? await this.tokens.consume(trx, app.id, target.token) : target.accountId;
      const account = await accounts.findRow(app.id, accountId, trx);
      if (!account) throw new DomainError('ACCOUNT_NOT_FOUND', `No account with id ${accountId}`);
      // A short lease until the background login answers: a start that never answers (a crash,
      // a hung bank) frees the account within a minute; the session engine lengthens it to the session's life.
      const leaseUntil = now + Math.min(START_LEASE_MS, this.deps.connectorTimeoutMs + 5_000);
      if (!(await accounts.holdForReauth(account.id, id, options.origin, now, leaseUntil, trx))) {
        throw await this.inProgress(account.id, now, options, trx);
      }
      return { opened: await sessions.openReauth(trx, app, account, { id, origin: options.origin, now }), account };
    });
    const { session, reply } = await sessions.beginReauth(opened, account, options.mode);
    return { session, accountId: account.id, reply };
  }

  /**
   * The widget's start: a reauth session logs in in the background with the stored credentials,
   * then waits for the person. A login the bank accepts without a challenge never completes it
   * here: the person logs in (with the credentials the account holds) or answers the challenge
   * the bank sent them, so a page's public key and an account id buy no code (docs/security.md).
   * A start from a reauth token or a hosted link is the partner's (`origin: partner`) and
   * supersedes one from a bare account id (`public`).
   */
  async startForPerson(app: App, target: { accountId: string } | { token: string }, origin: SessionOrigin): Promise<PersonReauth> {
    const { session, reply } = await this.start(app, target, { origin, mode: 'person' });
    const first: StepReply = reply.responseCode === 102 ? { responseCode: 102, ui: reply.ui } : reply;
    return {
      session: { id: session.id, expiresAt: session.expiresAt },
      institution: { id: session.institution.id, name: session.institution.name },
      reply: first,
      next: reply.responseCode === 102 ? reply.next : null,
      reason: reply.responseCode === 102 ? reply.reason : null,
    };
  }

  /**
   * The 409 for an account another session holds: the partner's server is told which; a
   * browser (the widget, whatever started it) only that one exists.
   */
  private async inProgress(accountId: string, now: number, options: { mode: StartMode }, trx: Db): Promise<DomainError> {
    const holder = await this.deps.accounts.reauthHolder(accountId, now, trx);
    if (options.mode === 'person' || !holder) {
      return new DomainError('REAUTH_IN_PROGRESS', 'This account is being re-authorised through the app already; finish there, or try again later');
    }
    return new DomainError(
      'REAUTH_IN_PROGRESS',
      `Session ${holder.id} is already re-authorising account ${accountId} (until ${new Date(holder.expiresAt).toISOString()}); finish it, cancel it with POST /v2/connect/cancel, or wait for it to expire`,
      { session: { id: holder.id, expiresAt: holder.expiresAt } },
    );
  }
}
