import type { Ui } from '@relink/contract';
import type { AccountService } from '../accounts/service.ts';
import type { App } from '../apps/service.ts';
import type { Config } from '../config/config.ts';
import type { Connectors } from '../connectors/registry.ts';
import type { ConnectorOutcome, ConnectorState } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { SessionRow } from '../db/schema.ts';
import type { Events } from '../events/events.ts';
import { AppError } from '../http/errors.ts';
import type { Institution, InstitutionRegistry } from '../institutions/registry.ts';
import type { Clock } from '../lib/clock.ts';
import { newSessionId } from '../lib/ids.ts';
import type { Vault } from '../vault/vault.ts';
import type { BankUserLimits } from '../limits/bank_users.ts';
import { guard, initialState, replyFor, type SessionState, type Step, type StepReply, transition } from './machine.ts';
import { SessionStore } from './store.ts';

export type ApiVersion = 'v1' | 'v2';

export interface CreatedSession {
  id: string;
  appId: string;
  institution: Institution;
  authMethod: string;
  expiresAt: number;
  ui: Ui;
}

const MAX_FIELD_LENGTH = 512;

export class SessionService {
  readonly store: SessionStore;
  /** Called after a step completes a link, so the first data sync starts at once. */
  onLinked: () => void = () => {};
  /** Caps failed bank logins and wrong answers per bank user across sessions (set in services.ts). */
  bankUsers: BankUserLimits | null = null;

  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
    private readonly connectors: Connectors,
    private readonly institutions: InstitutionRegistry,
    private readonly accounts: AccountService,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'sessionTtlMs'>,
  ) {
    this.store = new SessionStore(db);
  }

  async create(app: App, input: { institution: string; authMethod: string; customer?: { id?: string; name?: string; email?: string } }): Promise<CreatedSession> {
    const institution = this.institutions.get(input.institution);
    if (!institution) throw new AppError('INSTITUTION_NOT_FOUND', `No institution with id ${input.institution}`);
    const method = this.institutions.authMethod(institution, input.authMethod);
    if (!method) {
      const offered = institution.authMethods.map((m) => m.type).join(', ');
      throw new AppError('INVALID_INPUT', `auth_method ${input.authMethod} is not offered by ${institution.name}; use one of: ${offered}`);
    }
    const customerId = await this.accounts.customerFor(app.id, input.customer);
    const now = this.clock.now();
    const id = newSessionId();
    const expiresAt = now + this.config.sessionTtlMs;
    await this.store.insert({
      id,
      app_id: app.id,
      kind: 'link',
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

  /** One login or commit: validate against the cached fields, call the bank once, persist. */
  async step(app: App, sessionId: string | undefined, step: Step, body: unknown, api: ApiVersion): Promise<StepReply> {
    if (!sessionId) throw new AppError('INVALID_INPUT', 'Missing x-session-id header: send the id of the session this step belongs to');
    const row = await this.store.find(app.id, sessionId);
    if (!row) throw new AppError('SESSION_NOT_FOUND', `No session with id ${sessionId}`);
    const state = JSON.parse(row.state) as SessionState;
    const now = this.clock.now();
    const allowed = guard(state, step, now, row.expires_at);
    if (!allowed.ok) throw new AppError(allowed.code, allowed.message);
    const input = readInput(state, step, body, api);

    const claimed = row.version + 1;
    if (!(await this.store.claim(row.id, row.version, now, now + this.connectors.timeout + 5_000))) {
      throw new AppError('SESSION_BUSY', 'Another step of this session is in progress; wait for it to finish');
    }
    let outcome: ConnectorOutcome;
    try {
      outcome = this.bankUsers ? await this.bankUsers.around(row, state, input, () => this.callBank(row, state, input)) : await this.callBank(row, state, input);
    } catch (error) {
      await this.store.release(row.id, claimed, {});
      throw error;
    }
    const next = transition(state, outcome);
    let code: string | null = null;
    await this.db.transaction().execute(async (trx) => {
      code = await this.persist(trx, row, claimed, step, input, next, outcome);
    });
    this.events.committed();
    if (code) this.onLinked();
    return replyFor(next, outcome, code);
  }

  private async callBank(row: SessionRow, state: SessionState, input: StepInput): Promise<ConnectorOutcome> {
    const institution = this.institutions.get(row.institution_id)!;
    const connector = this.connectors.get(institution.connector);
    const saved = row.connector_state_secret_id
      ? (JSON.parse(await this.vault.open(row.connector_state_secret_id)) as ConnectorState)
      : {};
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

  /** Writes the step's result; returns the auth code when the link completed. */
  private async persist(trx: Db, row: SessionRow, claimed: number, step: Step, input: StepInput, next: SessionState, outcome: ConnectorOutcome): Promise<string | null> {
    const now = this.clock.now();
    let credentialsId = row.credentials_secret_id;
    let connectorStateId = row.connector_state_secret_id;
    const accepted = outcome.kind === 'ok' || outcome.kind === 'select' || outcome.kind === 'challenge';
    if (step === 'login' && accepted && input.kind === 'fields') {
      const sealed = JSON.stringify(input.fields);
      if (credentialsId) await this.vault.reseal(credentialsId, sealed, trx);
      else credentialsId = await this.vault.seal('bank_credentials', sealed, trx);
    }
    if ('state' in outcome && outcome.kind !== 'ok') {
      const sealed = JSON.stringify(outcome.state);
      if (connectorStateId) await this.vault.reseal(connectorStateId, sealed, trx);
      else connectorStateId = await this.vault.seal('connector_state', sealed, trx);
    }
    let code: string | null = null;
    let accountId = row.account_id;
    if (next.status === 'completed' && next.linked && credentialsId) {
      const done = await this.accounts.completeLink(trx, {
        appId: row.app_id,
        sessionId: row.id,
        institutionId: row.institution_id,
        authMethod: row.auth_method,
        customerId: row.customer_id,
        linked: next.linked,
        credentialsSecretId: credentialsId,
        bankState: outcome.kind === 'ok' ? outcome.state : undefined,
      });
      code = done.code;
      accountId = done.accountId;
      credentialsId = null; // now owned by the account
    }
    if (next.status === 'completed' || next.status === 'failed') {
      for (const secret of [connectorStateId, next.status === 'failed' ? credentialsId : null]) if (secret) await this.vault.remove(secret, trx);
      connectorStateId = null;
      if (next.status === 'failed') credentialsId = null;
    }
    const released = await this.store.release(
      row.id,
      claimed,
      { state: JSON.stringify(next), account_id: accountId, credentials_secret_id: credentialsId, connector_state_secret_id: connectorStateId, updated_at: now },
      trx,
    );
    if (!released) throw new AppError('SESSION_BUSY', 'Another step of this session took over; retry the step');
    return code;
  }
}

type StepInput = { kind: 'fields'; fields: Record<string, string> } | { kind: 'account'; accountNumber: string };

/**
 * The body must carry exactly the fields the session last asked for (seed 003: "field names
 * will be cached to validate inputs sent via the Commit Session API"), so a typo is a 400
 * here rather than a wrong answer counted at the bank.
 */
function readInput(state: SessionState, step: Step, body: unknown, api: ApiVersion): StepInput {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('INVALID_INPUT', 'Invalid request: body must be a JSON object');
  }
  const given = body as Record<string, unknown>;
  if (step === 'commit' && state.status === 'awaiting_account') {
    const field = api === 'v1' ? 'account' : 'accountNumber';
    checkNames(Object.keys(given), [field]);
    if (api === 'v1') {
      // An integer or a string of digits; Number(null), Number('') and Number(true) are not choices.
      const raw = given.account;
      const index = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
      const chosen = Number.isInteger(index) ? state.accounts[index] : undefined;
      if (!chosen) throw new AppError('INVALID_INPUT', `Invalid request: body.account must be the index of one of the ${state.accounts.length} offered accounts (0 to ${state.accounts.length - 1})`);
      return { kind: 'account', accountNumber: chosen.accountNumber };
    }
    const raw = given.accountNumber;
    const number = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    if (!state.accounts.some((a) => a.accountNumber === number)) {
      throw new AppError('INVALID_INPUT', `Invalid request: body.accountNumber must be one of the offered accounts: ${state.accounts.map((a) => a.accountNumber).join(', ')}`);
    }
    return { kind: 'account', accountNumber: number };
  }
  checkNames(Object.keys(given), state.expectedFields);
  const fields: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of state.expectedFields) {
    const value = given[name];
    if (typeof value === 'number' && Number.isFinite(value)) fields[name] = String(value);
    else if (typeof value === 'string' && value.length <= MAX_FIELD_LENGTH) fields[name] = value;
    else problems.push(`body.${name} must be a string of at most ${MAX_FIELD_LENGTH} characters`);
  }
  if (problems.length > 0) throw new AppError('INVALID_INPUT', `Invalid request: ${problems.join('; ')}`);
  return { kind: 'fields', fields };
}

function checkNames(given: string[], expected: string[]) {
  const missing = expected.filter((name) => !given.includes(name)).map((name) => `body.${name} is required`);
  const unknown = given.filter((name) => !expected.includes(name)).map((name) => `body.${name} is not a field this step asked for`);
  if (missing.length + unknown.length > 0) {
    throw new AppError('INVALID_INPUT', `Invalid request: ${[...missing, ...unknown].join('; ')} (expected: ${expected.join(', ')})`);
  }
}
