import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { AuditRow, OperatorRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import { newId, newObjectId } from '../lib/ids.ts';
import { hashSecret } from '../lib/secrets.ts';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { OperatorStore } from './store.ts';

/** How long a set-up link works (once). */
export const SETUP_TTL_MS = 24 * 60 * 60 * 1000;
/** A console session ends after this long without a request… */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** …and this long after sign-in, whatever happens. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/**
 * Failed sign-ins allowed in a window, per email and per client address, counted in the
 * database so every instance shares them (NIST SP 800-63B §5.2.2 asks for a limit on failed
 * attempts; 5 per email keeps an online guess of a 12-character password hopeless, 20 per address
 * lets an office share one address).
 */
export const SIGN_IN_LIMITS = { perEmail: 5, perAddress: 20, windowMs: 15 * 60 * 1000 };
export const PASSWORD_MIN = 12;
const PASSWORD_MAX = 1024;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;
/** A session's last-seen time is written at most this often. */
const TOUCH_MS = 60_000;

export interface Operator {
  id: string;
  /** Null until the first start's operator chooses one on its set-up page. */
  email: string | null;
  /** A password is set; false until the set-up link is used (and after a reset). */
  active: boolean;
  /** When an unused set-up link stops working, if there is one. */
  setupExpiresAt: number | null;
  createdAt: number;
  lastSignInAt: number | null;
}

/** Who did something: a signed-in operator, or someone at the server's command line. */
export type Actor = { operatorId: string; email: string } | 'cli';

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

/** A set-up link's token, with whom it sets up and until when; shown once. */
export interface SetupLink {
  operator: Operator;
  token: string;
  expiresAt: number;
}

export interface ConsoleSession {
  operator: { id: string; email: string };
  /** The cookie's value: what the CSRF token of this session is derived from. */
  secret: string;
}

export type SignIn = { kind: 'ok'; session: string; operator: Operator } | { kind: 'invalid' } | { kind: 'limited'; retryAfterSeconds: number };

export interface OperatorDeps {
  db: Db;
  clock: Clock;
}

/**
 * The people who run Relink: operators, their set-up links, password sign-in with its
 * limits, console sessions (in the database, so every instance shares them) and the audit log.
 * Set-up tokens and session ids are 256-bit random values stored only as SHA-256.
 */
export class OperatorService {
  private readonly store: OperatorStore;
  private readonly clock: Clock;

  constructor(deps: OperatorDeps) {
    this.store = new OperatorStore(deps.db);
    this.clock = deps.clock;
  }

  async list(): Promise<Operator[]> {
    return (await this.store.list()).map((row) => toOperator(row, this.clock.now()));
  }

  count(): Promise<number> {
    return this.store.count();
  }

  /**
   * The first start's operator, with no email yet, and its set-up link: made by exactly one of
   * the processes starting on a fresh database, and never again (a later start with no
   * operators says to add one). Undefined when it was made before.
   */
  async createFirst(): Promise<SetupLink | undefined> {
    if ((await this.store.count()) > 0) return undefined;
    const now = this.clock.now();
    const token = newToken();
    const row: OperatorRow = {
      id: newObjectId(),
      email: null,
      password_hash: null,
      setup_token_hash: hashSecret(token),
      setup_expires_at: now + SETUP_TTL_MS,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    };
    if (!(await this.store.insert(row, 'first_operator'))) return undefined;
    await this.record('cli', 'operator.created', row.id, { first: true });
    return { operator: toOperator(row, now), token, expiresAt: now + SETUP_TTL_MS };
  }

  /** A new operator with `email` and a set-up link for it. */
  async add(email: string, actor: Actor): Promise<SetupLink> {
    const normal = normaliseEmail(email);
    const now = this.clock.now();
    const token = newToken();
    const row: OperatorRow = {
      id: newObjectId(),
      email: normal,
      password_hash: null,
      setup_token_hash: hashSecret(token),
      setup_expires_at: now + SETUP_TTL_MS,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    };
    if (!(await this.store.insert(row))) throw new DomainError('INVALID_INPUT', `An operator with the email ${normal} already exists`);
    await this.record(actor, 'operator.created', row.id, { email: normal });
    return { operator: toOperator(row, now), token, expiresAt: now + SETUP_TTL_MS };
  }

  /** An operator by email or id. */
  async find(emailOrId: string): Promise<Operator | undefined> {
    const row = (await this.store.byEmail(emailOrId.trim().toLowerCase())) ?? (await this.store.byId(emailOrId.trim()));
    return row && toOperator(row, this.clock.now());
  }

  /** A new set-up link; the old password stops working and every session of the operator ends. */
  async resetPassword(emailOrId: string, actor: Actor): Promise<(SetupLink & { sessionsEnded: number }) | undefined> {
    const operator = await this.find(emailOrId);
    if (!operator) return undefined;
    const now = this.clock.now();
    const token = newToken();
    if (!(await this.store.setSetupToken(operator.id, hashSecret(token), now + SETUP_TTL_MS, now, true))) return undefined;
    const sessionsEnded = await this.store.deleteSessionsOf(operator.id);
    await this.record(actor, 'operator.password_reset', operator.id, { email: operator.email, sessions_ended: sessionsEnded });
    return { operator: { ...operator, active: false, setupExpiresAt: now + SETUP_TTL_MS }, token, expiresAt: now + SETUP_TTL_MS, sessionsEnded };
  }

  async remove(emailOrId: string, actor: Actor): Promise<Operator | undefined> {
    const operator = await this.find(emailOrId);
    if (!operator || !(await this.store.remove(operator.id))) return undefined;
    await this.record(actor, 'operator.removed', operator.id, { email: operator.email });
    return operator;
  }

  /** The operator a set-up token is for, while it is unused and unexpired. */
  async setupFor(token: string): Promise<Operator | undefined> {
    const now = this.clock.now();
    const row = await this.store.bySetupToken(hashSecret(token), now);
    return row && toOperator(row, now);
  }

  /**
   * Spends a set-up token: the operator's password (and email, if it had none) is set. A
   * password too short, an email malformed or taken are the caller's to fix (`DomainError`); a
   * token unknown, used or expired is undefined.
   */
  async completeSetup(token: string, input: { email: string; password: string }, ip: string | null): Promise<Operator | undefined> {
    const operator = await this.setupFor(token);
    if (!operator) return undefined;
    checkPassword(input.password);
    const email = operator.email ? null : normaliseEmail(input.email);
    if (email) {
      const taken = await this.store.byEmail(email);
      if (taken && taken.id !== operator.id) throw new DomainError('INVALID_INPUT', `An operator with the email ${email} already exists`);
    }
    const passwordHash = await hashPassword(input.password);
    const id = await this.store.spendSetupToken(hashSecret(token), this.clock.now(), { password_hash: passwordHash, email }).catch(async (error: unknown) => {
      if (email && (await this.store.byEmail(email))) throw new DomainError('INVALID_INPUT', `An operator with the email ${email} already exists`);
      throw error;
    });
    if (!id) return undefined;
    const done = (await this.store.byId(id))!;
    await this.record({ operatorId: id, email: done.email! }, 'operator.setup', id, {}, ip);
    return toOperator(done, this.clock.now());
  }

  /**
   * Checks an email and password, within the limits per email and per address. An unknown
   * email, an operator not set up yet and a wrong password get the same answer after the same
   * work (a hash is checked in every case), so the answer tells no one which emails exist.
   */
  async signIn(email: string, password: string, ip: string): Promise<SignIn> {
    const normal = email.trim().toLowerCase();
    const subjects = [`ip:${ip}`, `email:${hashSecret(normal)}`];
    const caps = [SIGN_IN_LIMITS.perAddress, SIGN_IN_LIMITS.perEmail];
    const { windowMs } = SIGN_IN_LIMITS;
    const now = this.clock.now();
    await this.store.deleteStaleFailures(now - windowMs);
    const reserved: string[] = [];
    for (const [i, subject] of subjects.entries()) {
      if (await this.store.reserveFailure(subject, caps[i]!, now, windowMs)) {
        reserved.push(subject);
        continue;
      }
      for (const done of reserved) await this.store.refundFailure(done);
      const start = (await this.store.windowStart(subject)) ?? now;
      const row = await this.store.byEmail(normal);
      if (row) await this.record({ operatorId: row.id, email: normal }, 'sign_in.limited', row.id, { by: subject.startsWith('ip:') ? 'address' : 'email' }, ip);
      return { kind: 'limited', retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
    }
    const row = normal.length <= 254 && password.length <= PASSWORD_MAX ? await this.store.byEmail(normal) : undefined;
    const matched = await verifyPassword(password.slice(0, PASSWORD_MAX), row?.password_hash ?? (await decoyHash()));
    if (!row || !row.password_hash || !matched) {
      if (row) await this.record({ operatorId: row.id, email: normal }, 'sign_in.failed', row.id, {}, ip);
      return { kind: 'invalid' };
    }
    await this.store.clearFailures(subjects[1]!);
    await this.store.refundFailure(subjects[0]!);
    if (needsRehash(row.password_hash)) await this.store.updatePassword(row.id, await hashPassword(password), now);
    await this.store.deleteExpiredSessions(now, now - SESSION_IDLE_MS);
    const session = newToken();
    await this.store.insertSession({
      id_hash: hashSecret(session),
      operator_id: row.id,
      created_at: now,
      last_seen_at: now,
      expires_at: now + SESSION_ABSOLUTE_MS,
    });
    await this.store.signedIn(row.id, now);
    await this.record({ operatorId: row.id, email: normal }, 'sign_in', row.id, {}, ip);
    return { kind: 'ok', session, operator: toOperator({ ...row, last_sign_in_at: now }, now) };
  }

  /** The session a cookie names, while it is within both expiries; an expired one is deleted. */
  async session(secret: string): Promise<ConsoleSession | undefined> {
    const hash = hashSecret(secret);
    const row = await this.store.session(hash);
    if (!row || !row.email) return undefined;
    const now = this.clock.now();
    if (row.expires_at <= now || row.last_seen_at + SESSION_IDLE_MS <= now) {
      await this.store.deleteSession(hash);
      return undefined;
    }
    if (now - row.last_seen_at >= TOUCH_MS) await this.store.touchSession(hash, now);
    return { operator: { id: row.operator_id, email: row.email }, secret };
  }

  async signOut(session: ConsoleSession, ip: string | null): Promise<void> {
    await this.store.deleteSession(hashSecret(session.secret));
    await this.record({ operatorId: session.operator.id, email: session.operator.email }, 'sign_out', session.operator.id, {}, ip);
  }

  /** Writes one entry of the audit log. */
  async record(actor: Actor, action: string, target: string | null, detail: Record<string, unknown> = {}, ip: string | null = null): Promise<void> {
    await this.store.insertAudit({
      id: newId('aud'),
      at: this.clock.now(),
      operator_id: actor === 'cli' ? null : actor.operatorId,
      actor: actor === 'cli' ? 'cli' : actor.email,
      action,
      target,
      detail: JSON.stringify(detail),
      ip,
    });
  }

  async audit(page: { page: number; limit: number }): Promise<{ items: AuditEntry[]; total: number }> {
    const { rows, total } = await this.store.audit({ limit: page.limit, offset: (page.page - 1) * page.limit });
    return { items: rows.map(toEntry), total };
  }
}

/** 256 random bits, URL-safe: a set-up token or a session's cookie value. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function normaliseEmail(email: string): string {
  const normal = email.trim().toLowerCase();
  if (normal.length > 254 || !EMAIL.test(normal)) throw new DomainError('INVALID_INPUT', `"${email}" is not an email address`);
  return normal;
}

function checkPassword(password: string) {
  if ([...password].length < PASSWORD_MIN) throw new DomainError('INVALID_INPUT', `The password must be at least ${PASSWORD_MIN} characters long`);
  if (password.length > PASSWORD_MAX) throw new DomainError('INVALID_INPUT', `The password must be at most ${PASSWORD_MAX} characters long`);
}

function toOperator(row: OperatorRow, now: number): Operator {
  return {
    id: row.id,
    email: row.email,
    active: row.password_hash !== null,
    setupExpiresAt: row.setup_token_hash && row.setup_expires_at && row.setup_expires_at > now ? row.setup_expires_at : null,
    createdAt: row.created_at,
    lastSignInAt: row.last_sign_in_at,
  };
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    ip: row.ip,
  };
}
