import type { Db } from '../db/database.ts';
import { DomainError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import { secureRandomBytes } from '../lib/random.ts';
import { hashSecret } from '../lib/secrets.ts';
import type { Codes } from '../accounts/codes.ts';
import { DemoStore } from './demo_store.ts';

export const DEMO_COOKIE = 'relink_demo';
/** Long enough to read the page, pick a bank and link (a session lives 10 minutes); short enough that a stray value soon means nothing. */
export const DEMO_TTL_MS = 15 * 60_000;

/**
 * The /connect/demo page plays a partner: it exchanges the widget's code on the server, as the
 * partner's backend would with its secret key. So the exchange must serve only the person who
 * linked in that very page. Each page load mints a random value (256 bits, stored only as its
 * SHA-256), sent as an HttpOnly, SameSite=Strict cookie that lives 15 minutes: the page's script
 * cannot read it, and no other site's page sends it. The widget in the page's frame starts its
 * session from the same browser, so the cookie comes along and binds that session to the value;
 * the exchange then spends the value and a code of exactly that session together, once. A public
 * key and a code from any other session (a leaked redirect, another page load) buy nothing.
 */
export class ConnectDemo {
  private readonly store: DemoStore;

  private readonly db: Db;
  private readonly codes: Codes;
  private readonly clock: Clock;

  constructor(deps: { db: Db; codes: Codes; clock: Clock }) {
    ({ db: this.db, codes: this.codes, clock: this.clock } = deps);
    this.store = new DemoStore(deps.db);
  }

  /** A new page load's value, for its Set-Cookie. */
  async mint(appId: string): Promise<{ value: string; maxAgeSeconds: number }> {
    const value = secureRandomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.store.insert({ hash: hashSecret(value), app_id: appId, expires_at: now + DEMO_TTL_MS, created_at: now });
    return { value, maxAgeSeconds: DEMO_TTL_MS / 1000 };
  }

  /** A widget session was started with the app's public key: a demo cookie sent along binds it. */
  async bind(cookieHeader: string | undefined, appId: string, sessionId: string): Promise<void> {
    const value = demoValue(cookieHeader);
    if (value) await this.store.bind(hashSecret(value), appId, sessionId, this.clock.now());
  }

  /** The account the page's own session linked, for its one exchange; the value and the code are spent together or not at all. */
  async exchange(cookieHeader: string | undefined, code: string): Promise<{ appId: string; accountId: string }> {
    const value = demoValue(cookieHeader);
    const now = this.clock.now();
    const demo = value ? await this.store.live(hashSecret(value), now) : undefined;
    if (!demo)
      throw new DomainError(
        'FORBIDDEN',
        'This demo page has no live demo value (it is missing, older than 15 minutes, or already used): reload /connect/demo and link again',
      );
    const sessionId = demo.session_id;
    const notOurs = () => new DomainError('CODE_INVALID', 'Invalid code: the demo exchanges only a code from the session this page started');
    if (!sessionId) throw notOurs();
    const accountId = await this.db.transaction().execute(async (trx) => {
      if (!(await this.store.spend(trx, demo.hash, sessionId, now)))
        throw new DomainError('FORBIDDEN', 'This demo value was just used: reload /connect/demo and link again');
      const linked = await this.codes.exchangeFromSession(trx, demo.app_id, sessionId, code);
      if (!linked) throw notOurs();
      return linked;
    });
    return { appId: demo.app_id, accountId };
  }
}

/** The demo value in a Cookie header, if any. */
function demoValue(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === DEMO_COOKIE) {
      const value = part.slice(at + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
