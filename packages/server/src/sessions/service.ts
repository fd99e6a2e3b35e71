import type { Ui } from '@relink/contract';
import type { Logger } from 'pino';
import { loginAsLinked, pickLinked } from '../sync/bank_login.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { App } from '../apps/service.ts';
import type { Config } from '../config/config.ts';
import type { Connectors } from '../connectors/registry.ts';
import { type ConnectorOutcome, type ConnectorState, hasSandboxControls, type LinkedOutcome } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { AccountRow, SessionOrigin, SessionRow } from '../db/schema.ts';
import type { Events } from '../events/events.ts';
import { DomainError } from '../lib/errors.ts';
import type { Institution, InstitutionRegistry } from '../institutions/registry.ts';
import type { Clock } from '../lib/clock.ts';
import { newSessionId } from '../lib/ids.ts';
import type { Vault } from '../vault/vault.ts';
import type { BankUserLimits } from '../limits/bank_users.ts';
import type { EndedEpisode, Metrics } from '../metrics/metrics.ts';
import {
  cancel,
  type Effect,
  guard,
  ImpossibleOutcome,
  initialState,
  replyFor,
  replyForStart,
  type SessionState,
  start,
  type StartMode,
  type StartReply,
  type Step,
  type StepOutcome,
  type StepReply,
  type Transition,
  transition,
} from './machine.ts';
import { readInput, type StepInput } from './input.ts';
import { REAUTH_LOGIN_REFUSED, refusedLogin } from './linked_login.ts';
import { SessionStore } from './store.ts';

/**
 * How a step's caller chooses among offered accounts: by its index in the list (`account`,
 * Mono's v1) or by its number (`accountNumber`, v2 and the widget); and `only: 'reauth'` for a
 * route that takes re-authorisation logins alone.
 */
export interface StepOptions {
  accountBy?: 'index' | 'number';
  only?: 'reauth';
}

export interface CreatedSession {
  id: string;
  appId: string;
  institution: Institution;
  authMethod: string;
  expiresAt: number;
  ui: Ui;
}

/** A reauth session `openReauth` wrote, and who had started the live ones of the account it cancelled. */
export interface OpenedReauth {
  row: SessionRow;
  superseded: SessionOrigin[];
}

export interface SessionDeps {
  db: Db;
  vault: Vault;
  connectors: Connectors;
  institutions: InstitutionRegistry;
  accounts: AccountService;
  /** Whom a new session links for (`customer: {id}` or `{name, email}`). */
  customers: CustomerService;
  events: Events;
  clock: Clock;
  config: Pick<Config, 'sessionTtlMs'>;
  logger: Pick<Logger, 'error'>;
  /** Caps failed bank logins and wrong answers per bank user across sessions. */
  bankUsers: BankUserLimits;
  metrics: Metrics;
  /** Called after a step completes a link or a re-authorisation, so the data sync starts at once. */
  onCompleted?: () => void;
}

/**
 * Login sessions, the engine under linking and re-authorisation alike: a session's state
 * machine (`machine.ts`), each step's one bank call, and what a completed step writes. Which
 * account a re-authorisation opens, and who may start one, is `reauth/`'s.
 */
export class SessionService {
  private readonly store: SessionStore;
  private readonly db: Db;
  private readonly vault: Vault;
  private readonly connectors: Connectors;
  private readonly institutions: InstitutionRegistry;
  private readonly accounts: AccountService;
  private readonly customers: CustomerService;
  private readonly events: Events;
  private readonly clock: Clock;
  private readonly config: Pick<Config, 'sessionTtlMs'>;
  private readonly logger: Pick<Logger, 'error'>;
  private readonly bankUsers: BankUserLimits;
  private readonly metrics: Metrics;
  private readonly onCompleted: () => void;

  constructor(deps: SessionDeps) {
    ({
      db: this.db,
      vault: this.vault,
      connectors: this.connectors,
      institutions: this.institutions,
      accounts: this.accounts,
      customers: this.customers,
      events: this.events,
      clock: this.clock,
      config: this.config,
      logger: this.logger,
      bankUsers: this.bankUsers,
      metrics: this.metrics,
    } = deps);
    this.onCompleted = deps.onCompleted ?? (() => {});
    this.store = new SessionStore(deps.db);
  }

  /** The app's session as stored, or undefined. */
  find(appId: string, id: string): Promise<SessionRow | undefined> {
    return this.store.find(appId, id);
  }

  async create(
    app: App,
    input: { institution: string; authMethod: string; customer?: { id?: string; name?: string; email?: string } },
    origin: SessionOrigin = 'partner',
  ): Promise<CreatedSession> {
    const institution = this.institutions.get(input.institution);
    if (!institution) throw new DomainError('INSTITUTION_NOT_FOUND', `No institution with id ${input.institution}`);
    const method = this.institutions.authMethod(institution, input.authMethod);
    if (!method) {
      const offered = institution.authMethods.map((m) => m.type).join(', ');
      throw new DomainError('INVALID_INPUT', `auth_method ${input.authMethod} is not offered by ${institution.name}; use one of: ${offered}`);
    }
    if (hasSandboxControls(this.connectors.get(institution.connector)) && app.mode !== 'test') {
      throw new DomainError('FORBIDDEN', `${institution.name} is a sandbox institution: link it with a test key`);
    }
    const customerId = await this.customers.customerFor(app.id, input.customer);
    const now = this.clock.now();
    const id = newSessionId();
    const expiresAt = now + this.config.sessionTtlMs;
    await this.store.insert({
      id,
      app_id: app.id,
      kind: 'link',
      origin,
      status: 'awaiting_login',
      institution_id: institution.id,
      auth_method: method.type,
      customer_id: customerId,
      account_id: null,
      state: JSON.stringify(initialState(method.ui)),
      connector_state_secret_id: null,
      credentials_secret_id: null,
      version: 0,
      busy_until: null,
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
    });
    return { id, appId: app.id, institution, authMethod: method.type, expiresAt, ui: method.ui };
  }

  /**
   * Inside the transaction that made `sessionId` the holder of `account` (`reauth/`): cancels
   * every other live reauth session of the account and writes this one, claimed from birth so
   * no step can run before `beginReauth`'s background login has answered.
   */
  async openReauth(trx: Db, app: App, account: AccountRow, opening: { id: string; origin: SessionOrigin; now: number }): Promise<OpenedReauth> {
    const { id, origin, now } = opening;
    const superseded: SessionOrigin[] = [];
    for (const other of await this.store.liveReauthsOf(account.id, id, trx)) {
      if (await this.cancelRow(other, 'This re-authorisation was superseded by a newer one for the same account', trx)) superseded.push(other.origin);
    }
    const institution = this.institutions.get(account.institution_id)!;
    const method = this.institutions.authMethod(institution, account.auth_method) ?? institution.authMethods[0]!;
    const session: SessionRow = {
      id,
      app_id: app.id,
      kind: 'reauth',
      origin,
      status: 'awaiting_login',
      institution_id: institution.id,
      auth_method: method.type,
      customer_id: account.customer_id,
      account_id: account.id,
      state: JSON.stringify(initialState(method.ui)),
      connector_state_secret_id: null,
      credentials_secret_id: null,
      version: 1,
      busy_until: now + this.connectors.timeout + 5_000,
      expires_at: now + this.config.sessionTtlMs,
      created_at: now,
      updated_at: now,
    };
    await this.store.insert(session, trx);
    await this.accounts.noteReauthStep(trx, account.id, 'session', now);
    return { row: session, superseded };
  }

  /**
   * A re-authorisation's first step, after `openReauth` committed: Relink logs in in the
   * background with the credentials `account` holds, and the session moves on from the bank's
   * answer. `mode` is who waits for that answer (see `StartMode`).
   */
  async beginReauth(opened: OpenedReauth, account: AccountRow, mode: StartMode): Promise<{ session: CreatedSession; reply: StartReply }> {
    const { row } = opened;
    this.metrics.reauthSessionStarted(row.origin, row.institution_id);
    for (const origin of opened.superseded) this.metrics.reauthSessionEnded(origin, row.institution_id, 'superseded');
    const institution = this.institutions.get(row.institution_id)!;
    const state = JSON.parse(row.state) as SessionState;
    let outcome: LinkedOutcome;
    let result: Transition;
    try {
      const fields = JSON.parse(await this.vault.open(account.credentials_secret_id!)) as Record<string, string>;
      const login = () =>
        loginAsLinked(
          this.connectors,
          this.connectors.get(institution.connector),
          { institutionId: institution.id, authMethod: row.auth_method, fields },
          account.account_number,
        );
      // A stored password the bank now rejects is still a failed login at the bank: it counts
      // against the bank user's cap like a typed one, so repeated starts cannot lock them out.
      outcome = (await this.bankUsers.around(row, state, { kind: 'fields', fields }, login as () => Promise<ConnectorOutcome>, {
        linked: fields,
        background: true,
      })) as LinkedOutcome;
      result = start(state, outcome, mode);
    } catch (error) {
      await this.abandon(row, 1);
      if (error instanceof ImpossibleOutcome) this.logger.error({ err: error, sessionId: row.id }, 'bank connector gave an impossible answer');
      throw error instanceof ImpossibleOutcome
        ? new DomainError('BANK_CONNECTION_ERROR', 'The bank gave an answer Relink cannot use; start the re-authorisation again')
        : error;
    }
    const { state: next, effect } = result;
    const code = await this.finishStep(row, 1, next, effect, outcome, null);
    const session: CreatedSession = {
      id: row.id,
      appId: row.app_id,
      institution,
      authMethod: row.auth_method,
      expiresAt: row.expires_at,
      ui: next.ui ?? state.ui!,
    };
    return { session, reply: replyForStart(next, outcome, code) };
  }

  /**
   * Ends a live session of `app` (`POST /v2/connect/cancel`, and the widget's own when it is
   * closed): its later steps are refused, its secrets are deleted and a re-authorisation frees
   * its account. Ending an ended session again is no error; a completed one cannot be cancelled.
   */
  async cancel(app: App, sessionId: string | undefined, reason: string): Promise<void> {
    if (!sessionId) throw new DomainError('INVALID_INPUT', 'Missing x-session-id header: send the id of the session to cancel');
    for (let tries = 0; tries < 3; tries++) {
      const row = await this.store.find(app.id, sessionId);
      if (!row) throw new DomainError('SESSION_NOT_FOUND', `No session with id ${sessionId}`);
      const status = (JSON.parse(row.state) as SessionState).status;
      if (status === 'completed') throw new DomainError('SESSION_COMPLETED', 'This session is already completed; it cannot be cancelled');
      if (status === 'failed') return;
      if (await this.db.transaction().execute((trx) => this.cancelRow(row, reason, trx))) {
        if (row.kind === 'reauth') this.metrics.reauthSessionEnded(row.origin, row.institution_id, 'cancelled');
        return;
      }
    }
    throw new DomainError('SESSION_BUSY', 'The session changed while it was being cancelled; try again');
  }

  private async cancelRow(row: SessionRow, reason: string, trx: Db): Promise<boolean> {
    const state = cancel(JSON.parse(row.state) as SessionState, reason);
    if (!(await this.store.cancel(row, JSON.stringify(state), this.clock.now(), trx))) return false;
    for (const secret of [row.credentials_secret_id, row.connector_state_secret_id]) if (secret) await this.vault.remove(secret, trx);
    if (row.kind === 'reauth' && row.account_id) await this.accounts.releaseReauth(row.account_id, row.id, trx);
    return true;
  }

  /** One login or commit: validate against the cached fields, call the bank once, persist. */
  async step(app: App, sessionId: string | undefined, step: Step, body: unknown, options: StepOptions = {}): Promise<StepReply> {
    if (!sessionId) throw new DomainError('INVALID_INPUT', 'Missing x-session-id header: send the id of the session this step belongs to');
    const row = await this.store.find(app.id, sessionId);
    if (!row) throw new DomainError('SESSION_NOT_FOUND', `No session with id ${sessionId}`);
    if (options.only === 'reauth' && row.kind !== 'reauth') {
      throw new DomainError('INVALID_INPUT', `Session ${sessionId} links a new account; log in with POST /v2/connect/login`);
    }
    const state = JSON.parse(row.state) as SessionState;
    const now = this.clock.now();
    const allowed = guard(state, step, now, row.expires_at);
    if (!allowed.ok) throw new DomainError(allowed.code, allowed.message);
    const input = readInput(state, step, body, options.accountBy ?? 'number');
    const linked = row.kind === 'reauth' ? await this.reauthTarget(row) : undefined;
    const refused = linked ? refusedLogin(state, input, linked.fields) : false;

    const claimed = row.version + 1;
    if (!(await this.store.claim(row.id, row.version, now, now + this.connectors.timeout + 5_000))) {
      throw new DomainError('SESSION_BUSY', 'Another step of this session is in progress; wait for it to finish');
    }
    let outcome: StepOutcome;
    let result: Transition;
    try {
      // A login Relink refuses itself still counts as a failed login of the linked bank user.
      const call = async (): Promise<ConnectorOutcome> =>
        refused ? { kind: 'invalid_credentials', message: REAUTH_LOGIN_REFUSED } : this.callBank(row, state, input);
      outcome = await this.bankUsers.around(row, state, input, call, { linked: linked?.fields });
      if (linked) outcome = await pickLinked(this.connectors, this.connector(row), outcome, linked.account.account_number);
      // One answer for every refused re-authorisation login, whatever the bank or Relink said, so
      // nothing tells a wrong username from a wrong password (docs/security.md).
      if (linked && outcome.kind === 'invalid_credentials') outcome = { kind: 'invalid_credentials', message: REAUTH_LOGIN_REFUSED };
      result = transition(state, outcome, row.kind);
    } catch (error) {
      await this.store.release(row.id, claimed, {});
      if (error instanceof ImpossibleOutcome) {
        this.logger.error({ err: error, sessionId: row.id }, 'bank connector gave an impossible answer');
        throw new DomainError('BANK_CONNECTION_ERROR', 'The bank gave an answer Relink cannot use; nothing changed, try the step again');
      }
      throw error;
    }
    const code = await this.finishStep(row, claimed, result.state, result.effect, outcome, step === 'login' && input.kind === 'fields' ? input.fields : null);
    return replyFor(result.state, outcome, code);
  }

  /**
   * Deletes the vault records (typed bank passwords, half-finished bank logins) of sessions
   * that expired or ended without handing them on; returns how many sessions were cleaned.
   */
  async sweep(limit = 100): Promise<number> {
    const now = this.clock.now();
    const rows = await this.store.withSecretsToSweep(now, limit);
    let swept = 0;
    for (const row of rows) {
      const done = await this.db.transaction().execute(async (trx) => {
        if (!(await this.store.clearSecrets(row, now, trx))) return false;
        for (const secret of [row.credentials_secret_id, row.connector_state_secret_id]) if (secret) await this.vault.remove(secret, trx);
        return true;
      });
      if (done) swept++;
    }
    return swept;
  }

  private connector(row: SessionRow) {
    return this.connectors.get(this.institutions.get(row.institution_id)!.connector);
  }

  /** The account a reauth step is for, and the login fields it was linked (or last re-authorised) with. */
  private async reauthTarget(row: SessionRow): Promise<{ account: AccountRow; fields: Record<string, string> }> {
    const account = row.account_id ? await this.accounts.findRow(row.app_id, row.account_id) : undefined;
    if (!account?.credentials_secret_id) throw new DomainError('ACCOUNT_NOT_FOUND', `The account this session re-authorises no longer exists`);
    return { account, fields: JSON.parse(await this.vault.open(account.credentials_secret_id)) as Record<string, string> };
  }

  private async callBank(row: SessionRow, state: SessionState, input: StepInput): Promise<ConnectorOutcome> {
    const institution = this.institutions.get(row.institution_id)!;
    const connector = this.connectors.get(institution.connector);
    const saved = row.connector_state_secret_id ? (JSON.parse(await this.vault.open(row.connector_state_secret_id)) as ConnectorState) : {};
    return this.connectors.call(
      (context) => {
        if (input.kind === 'fields' && state.status === 'awaiting_login') {
          return connector.login({ institutionId: institution.id, authMethod: row.auth_method, fields: input.fields }, context);
        }
        if (input.kind === 'account') return connector.selectAccount(saved, input.accountNumber, context);
        return connector.answer(saved, input.kind === 'fields' ? input.fields : {}, context);
      },
      (timeout) => ({ kind: 'unavailable', message: `Connection error: ${timeout.message}` }),
    );
  }

  /**
   * Writes a step's result in one transaction, events announced after it commits: the user's
   * login fields when the bank accepted them, the connector's state while the login is
   * unfinished, the effect of completing, and the new state. Returns the auth code, if any.
   */
  private async finishStep(
    row: SessionRow,
    claimed: number,
    next: SessionState,
    effect: Effect,
    outcome: StepOutcome,
    typed: Record<string, string> | null,
  ): Promise<string | null> {
    try {
      const { code, endedEpisode } = await this.events.transaction((trx) => this.persist(trx, row, claimed, next, effect, outcome, typed));
      if (row.kind === 'reauth' && (next.status === 'completed' || next.status === 'failed'))
        this.metrics.reauthSessionEnded(row.origin, row.institution_id, next.status);
      if (endedEpisode) this.metrics.reauthEpisodeEnded(endedEpisode, row.kind === 'reauth' ? 'completed' : 'relinked');
      if (code) this.onCompleted();
      return code;
    } catch (error) {
      // Nothing of the step was written; the account (unlinked meanwhile?) decides what is next.
      await this.abandon(row, claimed);
      throw error;
    }
  }

  private async persist(
    trx: Db,
    row: SessionRow,
    claimed: number,
    next: SessionState,
    effect: Effect,
    outcome: StepOutcome,
    typed: Record<string, string> | null,
  ): Promise<{ code: string | null; endedEpisode: EndedEpisode | undefined }> {
    const now = this.clock.now();
    let credentialsId = row.credentials_secret_id;
    let connectorStateId = row.connector_state_secret_id;
    const accepted = outcome.kind === 'ok' || outcome.kind === 'select' || outcome.kind === 'challenge';
    if (typed && accepted) {
      const sealed = JSON.stringify(typed);
      if (credentialsId) await this.vault.reseal(credentialsId, sealed, trx);
      else credentialsId = await this.vault.seal('bank_credentials', sealed, trx);
    }
    if ((outcome.kind === 'select' || outcome.kind === 'challenge' || outcome.kind === 'wrong_answer') && next.status !== 'failed') {
      const sealed = JSON.stringify(outcome.state);
      if (connectorStateId) await this.vault.reseal(connectorStateId, sealed, trx);
      else connectorStateId = await this.vault.seal('connector_state', sealed, trx);
    }
    let code: string | null = null;
    let endedEpisode: EndedEpisode | undefined;
    let accountId = row.account_id;
    // How far the person got in the account's re-authorisation episode (operations/).
    if (row.kind === 'reauth' && accountId) {
      if (typed) await this.accounts.noteReauthStep(trx, accountId, 'login', now);
      if (next.status === 'awaiting_input') await this.accounts.noteReauthStep(trx, accountId, 'challenge', now);
    }
    switch (effect.kind) {
      case 'link': {
        if (!credentialsId) throw new Error(`session ${row.id} completed a link without the login's credentials`);
        const done = await this.accounts.completeLink(trx, {
          appId: row.app_id,
          sessionId: row.id,
          institutionId: row.institution_id,
          authMethod: row.auth_method,
          customerId: row.customer_id,
          linked: effect.linked,
          credentialsSecretId: credentialsId,
          bankState: effect.bankState,
        });
        code = done.code;
        endedEpisode = done.endedEpisode;
        accountId = done.accountId;
        credentialsId = null; // now owned by the account
        break;
      }
      case 'reauth': {
        if (!accountId) throw new Error(`reauth session ${row.id} names no account`);
        ({ code, endedEpisode } = await this.accounts.completeReauth(trx, {
          appId: row.app_id,
          accountId,
          sessionId: row.id,
          credentialsSecretId: credentialsId,
          bankState: effect.bankState,
        }));
        credentialsId = null; // now owned by the account
        break;
      }
      case 'none':
        break;
    }
    if (next.status === 'completed' || next.status === 'failed') {
      for (const secret of [connectorStateId, credentialsId]) if (secret) await this.vault.remove(secret, trx);
      connectorStateId = null;
      credentialsId = null;
      if (row.kind === 'reauth' && next.status === 'failed' && accountId) await this.accounts.releaseReauth(accountId, row.id, trx);
    } else if (row.kind === 'reauth' && accountId) {
      await this.accounts.extendReauth(accountId, row.id, row.expires_at, trx);
    }
    const released = await this.store.release(
      row.id,
      claimed,
      {
        state: JSON.stringify(next),
        status: next.status,
        account_id: accountId,
        credentials_secret_id: credentialsId,
        connector_state_secret_id: connectorStateId,
        updated_at: now,
      },
      trx,
    );
    if (!released) {
      const now = await this.store.find(row.app_id, row.id, trx);
      const failure = now && (JSON.parse(now.state) as SessionState).failure;
      if (failure?.code === 'SESSION_CANCELLED') throw new DomainError('SESSION_CANCELLED', `${failure.message}; nothing of this step was kept`);
      throw new DomainError('SESSION_BUSY', 'Another step of this session took over; retry the step');
    }
    return { code, endedEpisode };
  }

  /**
   * Ends the sessions a newer start of the same hosted link replaces, in one transaction: each
   * is cancelled (a step in flight cannot complete, a reauth session frees its account). Answers
   * whether any of them had completed, read after the cancellations, so a completion racing them
   * is either undone by them or seen here.
   */
  async endReplaced(appId: string, ids: string[]): Promise<{ anyCompleted: boolean }> {
    if (ids.length === 0) return { anyCompleted: false };
    const ended = await this.db.transaction().execute(async (trx) => {
      const cancelled: SessionRow[] = [];
      for (const row of await this.store.liveOf(appId, ids, trx)) if (await this.cancelRow(row, LINK_OPENED_AGAIN, trx)) cancelled.push(row);
      return { cancelled, anyCompleted: await this.store.anyCompleted(appId, ids, trx) };
    });
    for (const row of ended.cancelled) if (row.kind === 'reauth') this.metrics.reauthSessionEnded(row.origin, row.institution_id, 'superseded');
    return { anyCompleted: ended.anyCompleted };
  }

  /** A step that could not finish: the session fails, keeps no secrets, and frees its account. */
  private async abandon(
    row: Pick<SessionRow, 'id' | 'kind' | 'origin' | 'institution_id' | 'account_id' | 'state' | 'credentials_secret_id' | 'connector_state_secret_id'>,
    claimed: number,
  ) {
    const state = JSON.parse(row.state) as SessionState;
    const failed: SessionState = {
      ...state,
      status: 'failed',
      ui: null,
      expectedFields: [],
      failure: { code: 'SESSION_FAILED', message: 'The session could not continue' },
    };
    const released = await this.db.transaction().execute(async (trx) => {
      const released = await this.store.release(
        row.id,
        claimed,
        { state: JSON.stringify(failed), status: 'failed', credentials_secret_id: null, connector_state_secret_id: null, updated_at: this.clock.now() },
        trx,
      );
      if (!released) return false;
      for (const secret of [row.credentials_secret_id, row.connector_state_secret_id]) if (secret) await this.vault.remove(secret, trx);
      if (row.kind === 'reauth' && row.account_id) await this.accounts.releaseReauth(row.account_id, row.id, trx);
      return true;
    });
    if (released && row.kind === 'reauth') this.metrics.reauthSessionEnded(row.origin, row.institution_id, 'failed');
  }
}

/** Why a hosted link's older session was cancelled. */
const LINK_OPENED_AGAIN =
  'This link was opened again in another page, which replaced this session: continue there (or start again here, which replaces that one)';
