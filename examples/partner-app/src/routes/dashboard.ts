import type { ReauthTracker } from '@relink/sdk';
import type { FastifyInstance } from 'fastify';
import { loadAccount } from '../account_view.ts';
import type { PartnerDb } from '../db.ts';
import type { LiveUpdates } from '../live.ts';
import { RelinkError, type Relink } from '../relink.ts';
import { dashboard, panel } from '../views/dashboard.ts';
import { layout } from '../views/layout.ts';
import type { SandboxLogin } from '../views/reconnect.ts';
import { signin } from '../views/signin.ts';
import { requireUser, signedIn } from './auth.ts';

export interface DashboardDeps {
  db: PartnerDb;
  relink: Relink;
  tracker: ReauthTracker;
  live: LiveUpdates;
  publicKey: string;
  relinkUrl: string;
  testMode: boolean;
  /** Test mode: what the sandbox bank expects now, per user, shown beside the reconnect forms. */
  sandboxNotes: Map<string, SandboxLogin>;
}

export function registerDashboard(app: FastifyInstance, deps: DashboardDeps) {
  const { db } = deps;
  const panelFor = async (userId: string) => {
    const version = deps.live.version(userId);
    const loaded = await loadAccount(deps, db.users.get(userId)!);
    return panel({ ...loaded, publicKey: deps.publicKey, testMode: deps.testMode, version });
  };

  app.get('/', async (request, reply) => {
    const signed = signedIn(db, request);
    reply.type('text/html; charset=utf-8');
    if (!signed) return layout({ title: 'Sign in', body: signin() });
    return layout({
      title: 'Your account',
      user: signed.user,
      flash: db.sessions.takeFlash(signed.token),
      body: dashboard(await panelFor(signed.user.id)),
      scripts: [`${deps.relinkUrl}/connect.js`, '/app.js'],
    });
  });

  app.get('/panel', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send((await panelFor(signed.user.id)).value);
  });

  app.get('/events', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    reply.hijack();
    deps.live.open(signed.user.id, reply.raw);
  });

  /**
   * The widget's onSuccess posts its one-time code here; only the server holds the secret key to
   * exchange it. A code says which account, not whose: one that is another user's stays theirs.
   */
  app.post<{ Body: { code?: unknown } }>('/link/code', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    try {
      const { id } = await deps.relink.accounts.exchange(String(request.body?.code ?? ''));
      if (db.users.link(signed.user.id, id) === 'taken') return reply.code(409).send({ message: ACCOUNT_TAKEN });
      return { message: 'Your bank account is linked. We are fetching your data now.' };
    } catch (error) {
      return reply.code(400).send({ message: failure(error, 'We could not link that account. Please try again.') });
    }
  });

  /**
   * The widget's reconnect: a reauth token for the signed-in user's own account, made with the
   * secret key (`POST /v2/accounts/{id}/reauthorise`), for connect.js's `reauth_token`. Single
   * use and short-lived, so one per click; the page never holds the Relink account id.
   */
  app.post('/reconnect/token', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    reply.header('cache-control', 'no-store');
    if (!signed.user.accountId) return reply.code(409).send({ message: 'Link a bank account first.' });
    try {
      const { token } = await deps.relink.accounts.reauthorise(signed.user.accountId);
      return { token };
    } catch (error) {
      return reply.code(502).send({ message: failure(error, 'The bank connection service is not reachable right now. Please try again in a minute.') });
    }
  });

  app.post<{ Body: { code?: unknown } }>('/reconnect/code', async (request, reply) => {
    const signed = requireUser(db, request, reply);
    if (!signed) return reply;
    try {
      await finishReconnect(deps, signed.user.id, String(request.body?.code ?? ''));
      return { message: 'Your bank account is reconnected. Your data is being refreshed.' };
    } catch (error) {
      return reply.code(400).send({ message: failure(error, 'We could not reconnect that account. Please try again.') });
    }
  });
}

/**
 * A re-authorisation's code exchanges to the account the user already has (never a new one, nor
 * another user's: the code of a reauth someone else ran proves nothing about this user).
 * The flag is then cleared from Relink's own answer at once (`reconcile`), without waiting for
 * the `account_reauthorized` webhook, which clears it too.
 */
export async function finishReconnect(deps: Pick<DashboardDeps, 'db' | 'relink' | 'tracker' | 'live'>, userId: string, code: string) {
  const user = deps.db.users.get(userId)!;
  const { id } = await deps.relink.accounts.exchange(code);
  if (id !== user.accountId) throw new ReconnectMismatch();
  await deps.tracker.reconcile([id]);
  deps.db.reconnects.delete(userId);
  deps.live.notify(userId, 'reconnected');
}

const ACCOUNT_TAKEN = 'That bank account is already linked to another Kudi Lend profile, so we did not link it here. Nothing on your profile changed.';

/** A reauth code for any account but the one the user linked: refused before anything changes. */
export class ReconnectMismatch extends Error {
  constructor() {
    super('That login belongs to another bank account than the one you linked. Reconnect with the login of your linked account.');
  }
}

export function failure(error: unknown, fallback: string): string {
  if (error instanceof ReconnectMismatch) return error.message;
  if (error instanceof RelinkError && error.status === 400) return error.message;
  return fallback;
}
