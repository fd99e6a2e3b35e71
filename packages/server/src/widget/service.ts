import type { ErrorCode } from '@relink/contract';
import type { App, AppService } from '../apps/service.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { MasterKey } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { SessionOrigin } from '../db/schema.ts';
import { DomainError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { Step, StepReply } from '../sessions/machine.ts';
import type { CreatedSession, SessionService } from '../sessions/service.ts';
import type { PersonReauth, ReauthService } from '../reauth/service.ts';
import { type CustomerInput, HostedLinks } from './links.ts';
import { AllowedOrigins } from './origins.ts';
import { ConnectStore } from './store.ts';

export interface WidgetStep {
  reply: StepReply;
  /** False once the session can take no further step (failed, completed): the widget starts over. */
  sessionOpen: boolean;
  /** A hosted link's redirect after success, with `code`, `reference` and `status` in its query. */
  redirectUrl: string | null;
}

export interface ConnectDeps {
  db: Db;
  apps: AppService;
  sessions: SessionService;
  reauth: ReauthService;
  accounts: AccountService;
  customers: CustomerService;
  clock: Clock;
  masterKey: MasterKey;
  /** How long a hosted link's start may hold the link: longer than a background bank login. */
  startHoldMs: number;
}

/**
 * Relink Connect, the widget's side of linking and re-authorising. It holds no state machine of
 * its own: every session is an ordinary `SessionService` session (so the 3-try caps are the
 * Partners API's), started and stepped with the app's public key, and remembered here as a
 * widget session. Its hosted links (`links`) and allowed origins (`origins`) share its store.
 */
export class ConnectService {
  readonly links: HostedLinks;
  readonly origins: AllowedOrigins;
  private readonly store: ConnectStore;
  private readonly apps: AppService;
  private readonly sessions: SessionService;
  private readonly reauth: ReauthService;
  private readonly clock: Clock;
  private readonly masterKey: MasterKey;

  constructor(deps: ConnectDeps) {
    ({ apps: this.apps, sessions: this.sessions, reauth: this.reauth, clock: this.clock, masterKey: this.masterKey } = deps);
    this.store = new ConnectStore(deps.db);
    this.links = new HostedLinks({
      store: this.store,
      apps: deps.apps,
      sessions: deps.sessions,
      accounts: deps.accounts,
      customers: deps.customers,
      clock: deps.clock,
      startHoldMs: deps.startHoldMs,
    });
    this.origins = new AllowedOrigins({ store: this.store, clock: deps.clock });
  }

  /** The app a public key names. A secret key is never accepted here, nor a live app without an env master key. */
  async appForPublicKey(publicKey: string): Promise<App | undefined> {
    if (!/^(test|live)_pk_[0-9A-Za-z]{1,64}$/.test(publicKey)) return undefined;
    const id = await this.store.appIdByPublicKey(publicKey);
    const app = id ? await this.apps.get(id) : undefined;
    if (!app || (app.mode === 'live' && this.masterKey.source !== 'env')) return undefined;
    return app;
  }

  async startSession(
    app: App,
    input: { institution: string; authMethod: string; customer?: CustomerInput; reference?: string; link?: string },
  ): Promise<CreatedSession> {
    let customer = input.customer;
    let reference = input.reference ?? null;
    const link = input.link ? await this.links.open(app, input.link) : undefined;
    if (link) {
      if (link.scope !== 'auth')
        throw new DomainError('INVALID_INPUT', 'This link re-authorises an account: start it with POST /v2/connect/widget/reauth {link}');
      if (link.institution_id && link.institution_id !== input.institution) {
        throw new DomainError('INVALID_INPUT', `This link is for institution ${link.institution_id}`);
      }
      customer = link.customer_id ? { id: link.customer_id } : undefined;
      reference = link.reference;
    }
    const create = async () => {
      // A hosted link is the partner's own invitation; the widget with the public key alone is anyone's.
      const session = await this.sessions.create(app, { institution: input.institution, authMethod: input.authMethod, customer }, link ? 'partner' : 'public');
      await this.store.insertSession({ session_id: session.id, app_id: app.id, reference, link_id: link?.id ?? null, created_at: this.clock.now() });
      return session;
    };
    return link ? this.links.startFor(link, create, (session) => ({ sessionId: session.id, completed: false })) : create();
  }

  /** One login or commit of a widget session, through the same `SessionService.step` as the Partners API. */
  async step(app: App, sessionId: string | undefined, step: Step, body: unknown): Promise<WidgetStep> {
    if (!sessionId) throw new DomainError('INVALID_INPUT', 'Missing x-session-id header: send the id of the session this step belongs to');
    const widgetSession = await this.store.findSession(app.id, sessionId);
    if (!widgetSession) throw new DomainError('SESSION_NOT_FOUND', `No session with id ${sessionId}`);
    const reply = await this.sessions.step(app, sessionId, step, body).catch((error: unknown) => {
      // A session that has ended (cancelled, failed, expired, completed) can take no further step.
      if (error instanceof DomainError && ENDED.has(error.code)) throw new DomainError(error.code, error.message, { ...error.extra, sessionOpen: false });
      throw error;
    });
    let sessionOpen = reply.responseCode !== 99;
    if (reply.responseCode === 400) {
      const row = await this.sessions.find(app.id, sessionId);
      sessionOpen = !!row && !['failed', 'completed'].includes((JSON.parse(row.state) as { status: string }).status);
    }
    const redirectUrl = reply.responseCode === 99 && widgetSession.link_id ? await this.links.finish(widgetSession.link_id, reply.code) : null;
    return { reply, sessionOpen, redirectUrl };
  }

  /**
   * Starts re-authorising an account from the widget (`data.account`, a legacy token, or a
   * hosted reauth link) through the re-authorisation service, and remembers the session as the
   * widget's so its later steps go through `step` above.
   */
  async startReauth(
    app: App,
    input: { account?: string; token?: string; reference?: string; link?: string },
  ): Promise<WidgetStep & Omit<PersonReauth, 'reply'>> {
    const start = (target: { accountId: string } | { token: string }, origin: SessionOrigin) => this.reauth.startForPerson(app, target, origin);
    let target: { accountId: string } | { token: string } = input.account ? { accountId: input.account } : { token: input.token ?? '' };
    let reference = input.reference ?? null;
    const link = input.link ? await this.links.open(app, input.link) : undefined;
    if (link) {
      if (link.scope !== 'reauth' || !link.account_id) throw new DomainError('INVALID_INPUT', 'This link is not a re-authorisation link');
      target = { accountId: link.account_id };
      reference = link.reference;
    }
    // A token or a link was issued by the partner with its secret key; an account id is public.
    const started = link
      ? await this.links.startFor(link, () => start(target, 'partner'), reauthStarted)
      : await start(target, 'token' in target ? 'partner' : 'public');
    await this.store.insertSession({ session_id: started.session.id, app_id: app.id, reference, link_id: link?.id ?? null, created_at: this.clock.now() });
    const redirectUrl = started.reply.responseCode === 99 && link ? await this.links.finish(link.id, started.reply.code) : null;
    return {
      reply: started.reply,
      sessionOpen: started.reply.responseCode === 102,
      redirectUrl,
      session: started.session,
      institution: started.institution,
      next: started.next,
      reason: started.reason,
    };
  }

  /** The widget closed: its session ends, and a re-authorisation frees its account at once. */
  async cancel(app: App, sessionId: string | undefined): Promise<void> {
    if (!sessionId) throw new DomainError('INVALID_INPUT', 'Missing x-session-id header: send the id of the session to cancel');
    if (!(await this.store.findSession(app.id, sessionId))) throw new DomainError('SESSION_NOT_FOUND', `No session with id ${sessionId}`);
    await this.sessions.cancel(app, sessionId, 'The person closed the widget');
  }
}

const ENDED = new Set<ErrorCode>(['SESSION_CANCELLED', 'SESSION_FAILED', 'SESSION_EXPIRED', 'SESSION_COMPLETED', 'OTP_ATTEMPTS_EXCEEDED']);

/** A reauth start made its session; with a 99 it already completed. */
function reauthStarted(started: PersonReauth): { sessionId: string; completed: boolean } {
  return { sessionId: started.session.id, completed: started.reply.responseCode === 99 };
}
