import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Ui } from '@relink/contract';
import type { Limits } from '../config/config.ts';
import type { ConnectorOutcome } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { SessionRow } from '../db/schema.ts';
import { DomainError } from '../lib/errors.ts';
import type { InstitutionRegistry } from '../institutions/registry.ts';
import type { Clock } from '../lib/clock.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Vault } from '../vault/vault.ts';

type BaseKind = 'login' | 'answer';
/** A count per bank user: all attempts, and those made in sessions started with only the public key. */
type Kind = BaseKind | 'login_public' | 'answer_public';

/** What a step sends the bank: login fields, or an answer to a challenge, or an account choice. */
interface StepContext {
  status: string;
  /** The login form while awaiting login (its password fields do not name the user). */
  ui: Ui | null;
}
type StepInput = { kind: 'fields'; fields: Record<string, string> } | { kind: 'account'; accountNumber: string };

export interface BankUserLimitsDeps {
  db: Db;
  vault: Vault;
  institutions: InstitutionRegistry;
  /** Keys the hash that names a bank user (see the constructor). */
  masterKey: Buffer;
  limits: Limits;
  clock: Clock;
  metrics: Metrics;
}

/**
 * Caps on failed bank logins and wrong challenge answers per bank user, across sessions, apps
 * and instances (the counts are rows in the database). Every wrong password or OTP Relink
 * sends is tried at the user's real bank, and banks lock users out after a few (commonly 3
 * wrong passwords). One session already stops at 3 (NIST SP 800-63B §5.2.2); by default a
 * bank user gets 3 failed logins and 5 wrong answers in 24 h whatever the number of sessions,
 * so a second session can still finish after a first one ran out of OTP tries. A success
 * clears the count, as it does at the bank.
 *
 * Attempts in re-authorisations started with only the app's public key (`origin: public`: the
 * widget with an account id) also count toward a smaller cap of their own (2 and 3 by default),
 * so whoever holds a page's public key and an account id can spend at most that much of the
 * linked bank user's allowance: the partner's own flows (secret key, reauth token, hosted link)
 * always keep the rest for the real user.
 *
 * A re-authorisation's attempts are the linked bank user's, whatever username was typed: the
 * bank user is named by the account's stored credentials (`linked`).
 *
 * Race-safe: an attempt is reserved (counted as failed) by one guarded upsert before the bank
 * is called, so concurrent sessions cannot all slip under the cap; a success clears it, and
 * an attempt that never reached the bank (bank down, timeout) is handed back.
 */
export class BankUserLimits {
  private readonly hmacKey: Buffer;
  private readonly db: Db;
  private readonly vault: Vault;
  private readonly institutions: InstitutionRegistry;
  private readonly limits: Limits;
  private readonly clock: Clock;
  private readonly metrics: Metrics;

  constructor(deps: BankUserLimitsDeps) {
    ({ db: this.db, vault: this.vault, institutions: this.institutions, limits: this.limits, clock: this.clock, metrics: this.metrics } = deps);
    // A keyed hash: the table never holds a username, nor one a dictionary could recover.
    this.hmacKey = createHmac('sha256', deps.masterKey).update('relink bank-user limit key').digest();
  }

  /** Runs one bank call of a session step inside the caps for its bank user. */
  async around(
    row: Pick<SessionRow, 'institution_id' | 'auth_method' | 'credentials_secret_id' | 'origin'>,
    state: StepContext,
    input: StepInput,
    call: () => Promise<ConnectorOutcome>,
    options: { linked?: Record<string, string>; background?: boolean } = {},
  ): Promise<ConnectorOutcome> {
    const attempt = await this.attemptOf(row, state, input, options.linked);
    if (!attempt) return call();
    // The public share applies where a public key and an account id name the bank user: a
    // re-authorisation (`linked`). A link session names no one until its user types a username.
    const kinds: Kind[] = row.origin === 'public' && options.linked ? [`${attempt.kind}_public`, attempt.kind] : [attempt.kind];
    const reserved: Kind[] = [];
    try {
      for (const kind of kinds) {
        await this.reserve(attempt.bankUser, kind);
        reserved.push(kind);
      }
    } catch (error) {
      for (const kind of reserved) await this.refund(attempt.bankUser, kind);
      throw error;
    }
    let outcome: ConnectorOutcome;
    try {
      outcome = await call();
    } catch (error) {
      for (const kind of kinds) await this.refund(attempt.bankUser, kind);
      throw error;
    }
    // Relink's own login with the stored credentials proves nobody present: it hands its
    // reservation back rather than clearing the count, so it cannot wipe out the guesses
    // a public-key holder made (a person's own success does clear it, as at the bank).
    if (outcome.kind === 'unavailable' || (options.background && outcome.kind !== 'invalid_credentials' && outcome.kind !== 'locked')) {
      for (const kind of kinds) await this.refund(attempt.bankUser, kind);
    } else if (outcome.kind === 'ok' || outcome.kind === 'select' || outcome.kind === 'challenge') await this.clear(attempt.bankUser, attempt.kind);
    return outcome;
  }

  private async attemptOf(
    row: Pick<SessionRow, 'institution_id' | 'auth_method' | 'credentials_secret_id'>,
    state: StepContext,
    input: StepInput,
    linked: Record<string, string> | undefined,
  ): Promise<{ kind: BaseKind; bankUser: string } | undefined> {
    if (input.kind !== 'fields') return undefined;
    const form = this.institutions.get(row.institution_id)?.authMethods.find((m) => m.type === row.auth_method)?.ui ?? null;
    const kind: BaseKind | undefined = state.status === 'awaiting_login' ? 'login' : state.status === 'awaiting_input' ? 'answer' : undefined;
    if (!kind) return undefined;
    if (linked) return { kind, bankUser: this.identify(row.institution_id, form, linked) };
    if (kind === 'login') return { kind, bankUser: this.identify(row.institution_id, state.ui, input.fields) };
    if (!row.credentials_secret_id) return undefined;
    const fields = JSON.parse(await this.vault.open(row.credentials_secret_id)) as Record<string, string>;
    return { kind, bankUser: this.identify(row.institution_id, form, fields) };
  }

  /** HMAC of the institution and the login fields the form does not mark as passwords. */
  private identify(institutionId: string, form: Ui | null, fields: Record<string, string>): string {
    const secret = new Set((form?.form ?? []).filter((f) => f.contentType === 'password').map((f) => f.name));
    const named = Object.keys(fields)
      .filter((name) => !secret.has(name))
      .sort()
      .map((name) => `${name}=${fields[name]!.trim().toLowerCase()}`);
    return createHmac('sha256', this.hmacKey)
      .update(`${institutionId}\n${named.join('\n')}`)
      .digest('hex');
  }

  private max(kind: Kind) {
    const limits = this.limits;
    return {
      login: limits.bankLoginFailures,
      answer: limits.bankAnswerFailures,
      login_public: limits.bankPublicLoginFailures,
      answer_public: limits.bankPublicAnswerFailures,
    }[kind];
  }

  private async reserve(bankUser: string, kind: Kind): Promise<void> {
    const now = this.clock.now();
    const expired = now - this.limits.bankFailureWindowMs;
    const reserved = await this.db
      .insertInto('bank_user_failures')
      .values({ bank_user: bankUser, kind, failures: 1, window_start: now })
      .onConflict((oc) =>
        oc
          .columns(['bank_user', 'kind'])
          .doUpdateSet({
            failures: sql<number>`case when bank_user_failures.window_start <= ${expired} then 1 else bank_user_failures.failures + 1 end`,
            window_start: sql<number>`case when bank_user_failures.window_start <= ${expired} then ${now} else bank_user_failures.window_start end`,
          })
          .where((eb) => eb.or([eb('bank_user_failures.window_start', '<=', expired), eb('bank_user_failures.failures', '<', this.max(kind))])),
      )
      .returning('failures')
      .executeTakeFirst();
    if (reserved) return;
    const row = await this.db
      .selectFrom('bank_user_failures')
      .select('window_start')
      .where('bank_user', '=', bankUser)
      .where('kind', '=', kind)
      .executeTakeFirst();
    const seconds = Math.max(1, Math.ceil(((row?.window_start ?? now) + this.limits.bankFailureWindowMs - now) / 1000));
    this.metrics.bankUserCapReached(kind);
    const what = `${this.max(kind)} ${kind.startsWith('login') ? 'failed logins' : 'wrong answers'}${kind.endsWith('_public') ? ' through the app’s public pages' : ''}`;
    throw new DomainError(
      'RATE_LIMITED',
      `This bank user has had ${what} recently; to keep the bank from locking them out, Relink will not try again for ${seconds} s`,
      {},
      seconds,
    );
  }

  private async refund(bankUser: string, kind: Kind): Promise<void> {
    await this.db
      .updateTable('bank_user_failures')
      .set({ failures: sql<number>`failures - 1` })
      .where('bank_user', '=', bankUser)
      .where('kind', '=', kind)
      .where('failures', '>', 0)
      .execute();
  }

  /** A success at the bank clears the bank user's count of that kind, public ones included. */
  private async clear(bankUser: string, kind: BaseKind): Promise<void> {
    await this.db
      .deleteFrom('bank_user_failures')
      .where('bank_user', '=', bankUser)
      .where('kind', 'in', [kind, `${kind}_public` as const])
      .execute();
  }
}
