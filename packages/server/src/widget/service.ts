import type { ErrorCode } from '@relink/contract';
import type { App, AppService } from '../apps/service.ts';
import type { AccountService } from '../accounts/service.ts';
import type { MasterKey } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { ConnectLinkRow, SessionOrigin } from '../db/schema.ts';
import { DomainError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import { newId } from '../lib/ids.ts';
import type { Step, StepReply } from '../sessions/machine.ts';
import type { CreatedSession, SessionService } from '../sessions/service.ts';
import type { PersonReauth, ReauthService } from '../reauth/service.ts';
import { ConnectStore } from './store.ts';

/** A hosted link works for a day, then a partner sends a new one (Mono documents no lifetime). */
export const LINK_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_ORIGINS = 20;

export interface WidgetStep {
  reply: StepReply;
  /** False once the session can take no further step (failed, completed): the widget starts over. */
  sessionOpen: boolean;
  /** A hosted link's redirect after success, with `code`, `reference` and `status` in its query. */
  redirectUrl: string | null;
}

export interface CustomerInput {
  id?: string;
  name?: string;
  email?: string;
}

/**
 * Relink Connect, the widget's side of linking. It holds no state machine of its own: every
 * session is an ordinary `SessionService` session (so the 3-try caps are the Partners API's),
 * started and stepped with the app's public key, and remembered here as a widget session.
 */
export interface ConnectDeps {
  db: Db;
  apps: AppService;
  sessions: SessionService;
  reauth: ReauthService;
  accounts: AccountService;
  clock: Clock;
  masterKey: MasterKey;
  /** How long a hosted link's start may hold the link: longer than a background bank login. */
  startHoldMs: number;
}

export class ConnectService {
  private readonly store: ConnectStore;
  private readonly apps: AppService;
  private readonly sessions: SessionService;
  private readonly reauth: ReauthService;
  private readonly accounts: AccountService;
  private readonly clock: Clock;
  private readonly masterKey: MasterKey;
  private readonly startHoldMs: number;

  constructor(deps: ConnectDeps) {
    ({ apps: this.apps, sessions: this.sessions, reauth: this.reauth, accounts: this.accounts, clock: this.clock, masterKey: this.masterKey, startHoldMs: this.startHoldMs } = deps);
    this.store = new ConnectStore(deps.db);
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
    const link = input.link ? await this.openLink(app, input.link) : undefined;
    if (link) {
      if (link.scope !== 'auth') throw new DomainError('INVALID_INPUT', 'This link re-authorises an account: start it with POST /v2/connect/widget/reauth {link}');
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
    return link ? this.startForLink(link, create, (session) => ({ sessionId: session.id, completed: false })) : create();
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
    const redirectUrl = reply.responseCode === 99 && widgetSession.link_id ? await this.finishLink(widgetSession.link_id, reply.code) : null;
    return { reply, sessionOpen, redirectUrl };
  }

  /**
   * Starts re-authorising an account from the widget (`data.account`, a legacy token, or a
   * hosted reauth link) through the re-authorisation service, and remembers the session as the
   * widget's so its later steps go through `step` above.
   */
  async startReauth(app: App, input: { account?: string; token?: string; reference?: string; link?: string }): Promise<WidgetStep & Omit<PersonReauth, 'reply'>> {
    const start = (target: { accountId: string } | { token: string }, origin: SessionOrigin) => this.reauth.startForPerson(app, target, origin);
    let target: { accountId: string } | { token: string } = input.account ? { accountId: input.account } : { token: input.token ?? '' };
    let reference = input.reference ?? null;
    const link = input.link ? await this.openLink(app, input.link) : undefined;
    if (link) {
      if (link.scope !== 'reauth' || !link.account_id) throw new DomainError('INVALID_INPUT', 'This link is not a re-authorisation link');
      target = { accountId: link.account_id };
      reference = link.reference;
    }
    // A token or a link was issued by the partner with its secret key; an account id is public.
    const started = link ? await this.startForLink(link, () => start(target, 'partner'), reauthStarted) : await start(target, 'token' in target ? 'partner' : 'public');
    await this.store.insertSession({ session_id: started.session.id, app_id: app.id, reference, link_id: link?.id ?? null, created_at: this.clock.now() });
    const redirectUrl = started.reply.responseCode === 99 && link ? await this.finishLink(link.id, started.reply.code) : null;
    return { reply: started.reply, sessionOpen: started.reply.responseCode === 102, redirectUrl, session: started.session, institution: started.institution, next: started.next, reason: started.reason };
  }

  /** The widget closed: its session ends, and a re-authorisation frees its account at once. */
  async cancel(app: App, sessionId: string | undefined): Promise<void> {
    if (!sessionId) throw new DomainError('INVALID_INPUT', 'Missing x-session-id header: send the id of the session to cancel');
    if (!(await this.store.findSession(app.id, sessionId))) throw new DomainError('SESSION_NOT_FOUND', `No session with id ${sessionId}`);
    await this.sessions.cancel(app, sessionId, 'The person closed the widget');
  }

  /** A hosted link's session completed: the link is used up; where the user goes next. */
  private async finishLink(linkId: string, code: string): Promise<string | null> {
    const link = await this.store.findLink(linkId);
    await this.store.useLink(linkId, this.clock.now());
    return link?.redirect_url ? linkRedirect(link.redirect_url, { code, reference: link.reference, status: 'linked' }) : null;
  }

  // Hosted links

  /**
   * Starts a session of a hosted link through `start`, as the link's one live session. The link
   * itself is the user's credential, so a newer start replaces the older session (a user who
   * reloads the page goes on; the older page is told its session was replaced) instead of being
   * refused. In order: one guarded update claims the link for this start (concurrent starts get
   * 409 `LINK_BUSY`); every older session of the link is ended (`SessionService.endReplaced`: a
   * step in flight cannot complete, a reauth session frees its account); if one had completed,
   * the link is used (410 `LINK_USED`); else `start` runs, and its session becomes the live one
   * as the claim is given back (with the link used at once when it already completed). So at
   * most one session of a link is ever live, and at most one ever completes: one code, one
   * redirect. A claim lasts `startHoldMs` (longer than a background bank login), then lapses.
   */
  async startForLink<T>(link: ConnectLinkRow, start: () => Promise<T>, made: (started: T) => { sessionId: string; completed: boolean }): Promise<T> {
    const token = newId('start');
    const now = this.clock.now();
    if (!(await this.store.claimStart(link.id, token, now, now + this.startHoldMs))) throw await this.noStart(link.id);
    let started: T;
    let used = false;
    try {
      ({ anyCompleted: used } = await this.sessions.endReplaced(link.app_id, await this.store.linkSessionIds(link.id)));
      if (used) throw linkUsed();
      started = await start();
    } catch (error) {
      await this.store.releaseStart(link.id, token, used ? this.clock.now() : null);
      throw error;
    }
    const { sessionId, completed } = made(started);
    if (!(await this.store.finishStart(link.id, token, sessionId, completed ? this.clock.now() : null))) {
      await this.sessions.endReplaced(link.app_id, [sessionId]);
      throw new DomainError('LINK_BUSY', 'This link was opened again while this page was starting; continue on the newest page, or reload this one');
    }
    return started;
  }

  /** Why a link could not be claimed for a start. */
  private async noStart(linkId: string): Promise<DomainError> {
    const link = await this.store.findLink(linkId);
    if (link?.used_at != null) return linkUsed();
    if (!link || this.clock.now() >= link.expires_at) return new DomainError('INVALID_INPUT', 'This link cannot start a session: it expired');
    return new DomainError('LINK_BUSY', 'This link is starting a session in another page right now; try again in a few seconds');
  }

  async initiate(
    app: App,
    input: { scope: 'auth' | 'reauth'; customer?: CustomerInput; account?: string; reference?: string; redirectUrl?: string; institution?: { id: string; authMethod?: string } },
  ): Promise<ConnectLinkRow> {
    const now = this.clock.now();
    let customerId: string | null = null;
    let accountId: string | null = null;
    if (input.scope === 'auth') {
      if (!input.customer) throw new DomainError('INVALID_INPUT', 'Invalid request: body.customer is required when scope is auth');
      customerId = await this.accounts.customerFor(app.id, input.customer);
    } else {
      if (!input.account) throw new DomainError('INVALID_INPUT', 'Invalid request: body.account is required when scope is reauth');
      const account = await this.accounts.get(app.id, input.account);
      accountId = account.id;
      customerId = account.customerId;
    }
    const row: ConnectLinkRow = {
      id: newId('link'),
      app_id: app.id,
      scope: input.scope,
      customer_id: customerId,
      account_id: accountId,
      reference: input.reference ?? null,
      institution_id: input.institution?.id ?? null,
      auth_method: input.institution ? (input.institution.authMethod ?? 'internet_banking') : null,
      redirect_url: input.redirectUrl ?? null,
      expires_at: now + LINK_TTL_MS,
      used_at: null,
      created_at: now,
      live_session_id: null,
      start_token: null,
      start_until: null,
    };
    await this.store.insertLink(row);
    return row;
  }

  /** A link the page may open: it exists, is not used and has not expired. */
  async linkForPage(id: string): Promise<{ link: ConnectLinkRow; app: App } | { problem: 'not_found' | 'used' | 'expired' }> {
    const link = await this.store.findLink(id);
    const app = link && (await this.apps.get(link.app_id));
    if (!link || !app) return { problem: 'not_found' };
    if (link.used_at !== null) return { problem: 'used' };
    if (this.clock.now() >= link.expires_at) return { problem: 'expired' };
    return { link, app };
  }

  private async openLink(app: App, id: string): Promise<ConnectLinkRow> {
    const found = await this.linkForPage(id);
    if ('problem' in found && found.problem === 'used') {
      const link = await this.store.findLink(id);
      if (link?.app_id === app.id) throw linkUsed();
    }
    if ('problem' in found || found.link.app_id !== app.id) {
      const why = 'problem' in found && found.problem !== 'not_found' ? `it was ${found.problem === 'used' ? 'already used' : 'expired'}` : 'it is unknown';
      throw new DomainError('INVALID_INPUT', `This link cannot start a session: ${why}`);
    }
    return found.link;
  }

  // Allowed origins

  origins(app: App): Promise<string[] | null> {
    return this.store.origins(app.id);
  }

  async setOrigins(appId: string, origins: string[] | null): Promise<string[] | null> {
    const normal = origins === null ? null : [...new Set(origins.map(normaliseOrigin))];
    if (normal && normal.length > MAX_ORIGINS) throw new DomainError('INVALID_INPUT', `Invalid request: at most ${MAX_ORIGINS} origins`);
    if (!(await this.store.setOrigins(appId, normal && normal.length > 0 ? normal : null, this.clock.now()))) {
      throw new DomainError('INVALID_INPUT', `No app with id ${appId}`);
    }
    return normal && normal.length > 0 ? normal : null;
  }
}

const ENDED = new Set<ErrorCode>(['SESSION_CANCELLED', 'SESSION_FAILED', 'SESSION_EXPIRED', 'SESSION_COMPLETED', 'OTP_ATTEMPTS_EXCEEDED']);

function linkUsed(): DomainError {
  return new DomainError('LINK_USED', 'This link was already used: each link works once. Ask for a new link if you need to link or re-authorise an account again');
}

/** A reauth start made its session; with a 99 it already completed. */
function reauthStarted(started: PersonReauth): { sessionId: string; completed: boolean } {
  return { sessionId: started.session.id, completed: started.reply.responseCode === 99 };
}

/** `https://shop.example` (scheme, host, port; nothing else), the form `Origin` and `frame-ancestors` use. */
export function normaliseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('INVALID_INPUT', `Invalid origin "${value}": use the form https://shop.example`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.replace(/\/$/, '')) {
    throw new DomainError('INVALID_INPUT', `Invalid origin "${value}": use scheme, host and port only, like https://shop.example`);
  }
  return url.origin;
}

/** The origin of a page address, or null when it is not an http(s) URL. */
export function originOf(address: string | undefined): string | null {
  if (!address) return null;
  try {
    const url = new URL(address);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** Where a hosted link sends the user afterwards: `redirect_url` plus `code`, `reference`, `status`. */
export function linkRedirect(redirectUrl: string, params: { code?: string; reference: string | null; status: 'linked' | 'cancelled' }): string {
  const url = new URL(redirectUrl);
  if (params.code) url.searchParams.set('code', params.code);
  if (params.reference) url.searchParams.set('reference', params.reference);
  url.searchParams.set('status', params.status);
  return url.toString();
}

/** The hosted page of a link: what `mono_url` points at. */
export function linkPageUrl(base: string, id: string): string {
  return `${base.replace(/\/+$/, '')}/connect/link/${encodeURIComponent(id)}`;
}
