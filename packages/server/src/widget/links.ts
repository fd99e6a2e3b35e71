import type { App, AppService } from '../apps/service.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { ConnectLinkRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { SessionService } from '../sessions/service.ts';
import type { ConnectStore } from './store.ts';

/** A hosted link works for a day, then a partner sends a new one (Mono documents no lifetime). */
export const LINK_TTL_MS = 24 * 60 * 60 * 1000;

export interface CustomerInput {
  id?: string;
  name?: string;
  email?: string;
}

export interface HostedLinkDeps {
  store: ConnectStore;
  apps: AppService;
  sessions: SessionService;
  accounts: AccountService;
  customers: CustomerService;
  clock: Clock;
  /** How long a hosted link's start may hold the link: longer than a background bank login. */
  startHoldMs: number;
}

/**
 * Hosted links (`POST /v2/accounts/initiate`, Mono's Connect Link): a page a partner sends the
 * user to link or re-authorise, used once. The widget's sessions start through `startFor`, so a
 * link has at most one live session and at most one ever completes.
 */
export class HostedLinks {
  private readonly store: ConnectStore;
  private readonly apps: AppService;
  private readonly sessions: SessionService;
  private readonly accounts: AccountService;
  private readonly customers: CustomerService;
  private readonly clock: Clock;
  private readonly startHoldMs: number;

  constructor(deps: HostedLinkDeps) {
    ({
      store: this.store,
      apps: this.apps,
      sessions: this.sessions,
      accounts: this.accounts,
      customers: this.customers,
      clock: this.clock,
      startHoldMs: this.startHoldMs,
    } = deps);
  }

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
  async startFor<T>(link: ConnectLinkRow, start: () => Promise<T>, made: (started: T) => { sessionId: string; completed: boolean }): Promise<T> {
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
    input: {
      scope: 'auth' | 'reauth';
      customer?: CustomerInput;
      account?: string;
      reference?: string;
      redirectUrl?: string;
      institution?: { id: string; authMethod?: string };
    },
  ): Promise<ConnectLinkRow> {
    const now = this.clock.now();
    let customerId: string | null = null;
    let accountId: string | null = null;
    if (input.scope === 'auth') {
      if (!input.customer) throw new DomainError('INVALID_INPUT', 'Invalid request: body.customer is required when scope is auth');
      customerId = await this.customers.customerFor(app.id, input.customer);
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
  async forPage(id: string): Promise<{ link: ConnectLinkRow; app: App } | { problem: 'not_found' | 'used' | 'expired' }> {
    const link = await this.store.findLink(id);
    const app = link && (await this.apps.get(link.app_id));
    if (!link || !app) return { problem: 'not_found' };
    if (link.used_at !== null) return { problem: 'used' };
    if (this.clock.now() >= link.expires_at) return { problem: 'expired' };
    return { link, app };
  }

  async open(app: App, id: string): Promise<ConnectLinkRow> {
    const found = await this.forPage(id);
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

  /** A hosted link's session completed: the link is used up; where the user goes next. */
  async finish(linkId: string, code: string): Promise<string | null> {
    const link = await this.store.findLink(linkId);
    await this.store.useLink(linkId, this.clock.now());
    return link?.redirect_url ? linkRedirect(link.redirect_url, { code, reference: link.reference, status: 'linked' }) : null;
  }
}

export function linkUsed(): DomainError {
  return new DomainError(
    'LINK_USED',
    'This link was already used: each link works once. Ask for a new link if you need to link or re-authorise an account again',
  );
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
