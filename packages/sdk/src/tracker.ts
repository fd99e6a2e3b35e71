import { accountOf, type RelinkEvent } from '@relink/contract';
import { Relink } from './client.ts';
import { RelinkError } from './errors.ts';
import type { ClientOptions } from './transport.ts';

/**
 * Mono's recommended re-authorisation workflow (its tutorial, part 2) for one partner: per
 * linked account, `reauthRequired` and `reauthCode`. On `reauthorisation_required` set the flag
 * (and, for the token flow, fetch a reauth token); on `account_reauthorized` clear both. Events
 * come at least once and in any order: each is applied once (deduped on `event_id`), and one
 * older than the state it would change is ignored, so a late `reauthorisation_required` cannot
 * undo a newer `account_reauthorized`.
 */
export interface ReauthState {
  accountId: string;
  reauthRequired: boolean;
  /** A v1 reauth token for `connect.reauthorise`/`POST /v1/connect/session`, when fetched. */
  reauthCode: string | null;
  /** The time (ISO 8601) of the event or check that set this state. */
  changedAt: string;
}

/** Where the tracker keeps its state: an interface, so any database can back it. */
export interface ReauthStore {
  get(accountId: string): Promise<ReauthState | undefined>;
  put(state: ReauthState): Promise<void>;
  /** Records an event id; false when it was recorded before (a duplicate delivery). */
  markSeen(eventId: string): Promise<boolean>;
  all(): Promise<ReauthState[]>;
}

export class MemoryReauthStore implements ReauthStore {
  readonly #states = new Map<string, ReauthState>();
  readonly #seen = new Set<string>();
  async get(accountId: string) {
    return this.#states.get(accountId);
  }
  async put(state: ReauthState) {
    this.#states.set(state.accountId, { ...state });
  }
  async markSeen(eventId: string) {
    if (this.#seen.has(eventId)) return false;
    this.#seen.add(eventId);
    return true;
  }
  async all() {
    return [...this.#states.values()];
  }
}

/** The part of a better-sqlite3 (or compatible) database the SQLite store uses. */
export interface SqliteLike {
  exec(sql: string): unknown;
  prepare(sql: string): { run(...params: unknown[]): { changes: number }; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
}

/** The tracker's state in SQLite: the seed's columns, `reauth_required` and `reauth_code`. */
export class SqliteReauthStore implements ReauthStore {
  constructor(private readonly db: SqliteLike) {
    db.exec(`create table if not exists relink_reauth (
      account_id text primary key, reauth_required integer not null, reauth_code text, changed_at text not null);
      create table if not exists relink_seen_events (event_id text primary key)`);
  }
  async get(accountId: string) {
    const row = this.db.prepare('select account_id, reauth_required, reauth_code, changed_at from relink_reauth where account_id = ?').get(accountId) as
      | Row
      | undefined;
    return row && fromRow(row);
  }
  async put(state: ReauthState) {
    this.db
      .prepare(
        `insert into relink_reauth (account_id, reauth_required, reauth_code, changed_at) values (?, ?, ?, ?)
         on conflict (account_id) do update set reauth_required = excluded.reauth_required, reauth_code = excluded.reauth_code, changed_at = excluded.changed_at`,
      )
      .run(state.accountId, state.reauthRequired ? 1 : 0, state.reauthCode, state.changedAt);
  }
  async markSeen(eventId: string) {
    return this.db.prepare('insert or ignore into relink_seen_events (event_id) values (?)').run(eventId).changes === 1;
  }
  async all() {
    return (this.db.prepare('select account_id, reauth_required, reauth_code, changed_at from relink_reauth').all() as Row[]).map(fromRow);
  }
}

interface Row {
  account_id: string;
  reauth_required: number;
  reauth_code: string | null;
  changed_at: string;
}
const fromRow = (row: Row): ReauthState => ({
  accountId: row.account_id,
  reauthRequired: row.reauth_required === 1,
  reauthCode: row.reauth_code,
  changedAt: row.changed_at,
});

/** The API client for tokens and `reconcile`: `{client}` (a `Relink`), or the options to make one (`{baseUrl, secretKey}`). */
export type TrackerOptions = TrackerSettings & ({ client: Relink } | ClientOptions);

interface TrackerSettings {
  store: ReauthStore;
  /** Fetch a v1 reauth token when an account needs reauth (the token flow). Default false. */
  fetchToken?: boolean;
  /** The clock for `reconcile`, ISO 8601. */
  now?: () => string;
  /** Accounts a page while `reconcile` reads `GET /v2/accounts`: 1 to 100, default 100 (the most the list gives). */
  reconcilePageSize?: number;
}

export class ReauthTracker {
  readonly #options: TrackerOptions;
  readonly #client: Relink;
  constructor(options: TrackerOptions) {
    this.#options = options;
    this.#client = 'client' in options ? options.client : new Relink(options);
  }

  /** Applies a verified event; returns the account's state after it, or undefined for events it does not track. */
  async handle(event: RelinkEvent): Promise<ReauthState | undefined> {
    if (event.event !== 'mono.events.reauthorisation_required' && event.event !== 'mono.events.account_reauthorized') return undefined;
    const accountId = accountOf(event);
    const { store } = this.#options;
    if (!(await store.markSeen(event.event_id))) return store.get(accountId);
    const current = await store.get(accountId);
    if (current && Date.parse(current.changedAt) > Date.parse(event.timestamp)) return current; // older than what we know
    const required = event.event === 'mono.events.reauthorisation_required';
    const state: ReauthState = {
      accountId,
      reauthRequired: required,
      reauthCode: required && this.#options.fetchToken ? await this.#token(accountId) : null,
      changedAt: event.timestamp,
    };
    await store.put(state);
    return state;
  }

  /** Whether to send this account's user to re-authorise (the seed's `reauthRequired`). */
  async status(accountId: string): Promise<ReauthState | undefined> {
    return this.#options.store.get(accountId);
  }

  /**
   * For webhooks that never came (downtime, a lost delivery): corrects the store from Relink's
   * own answer, and answers the states it wrote.
   *
   * - `reconcile()` pages through `GET /v2/accounts?reauth_required=true`. Every
   *   account listed is set, a new one tracked from now on (with `fetchToken`, one holding no
   *   token gets one); every tracked account still set that the list no longer holds is
   *   cleared once `GET /v2/accounts/{id}` confirms it, since a page can shift while it is read.
   * - `reconcile([ids])` asks `GET /v2/accounts/{id}` for those accounts only.
   *
   * An account that answers 404 (unlinked) is cleared. An account whose state changed while the
   * pass ran (a webhook handled meanwhile) is left as that webhook set it.
   */
  async reconcile(accountIds?: string[]): Promise<ReauthState[]> {
    const { store } = this.#options;
    const at = this.#options.now?.() ?? new Date().toISOString();
    const written: ReauthState[] = [];
    const settle = async (accountId: string, required: boolean, seen: string | undefined) => {
      const state = await this.#settle(accountId, required, at, seen);
      if (state) written.push(state);
    };
    if (accountIds) {
      for (const accountId of accountIds) {
        const seen = (await store.get(accountId))?.changedAt;
        await settle(accountId, await this.#required(accountId), seen);
      }
      return written;
    }
    // What the store held before the pass read anything: a state changed since was set by a
    // webhook handled meanwhile, which is newer than what the pass read, whatever the clocks say.
    const before = new Map((await store.all()).map((state) => [state.accountId, state]));
    const limit = Math.min(100, Math.max(1, Math.floor(this.#options.reconcilePageSize ?? 100)));
    const listed = new Set<string>();
    for (let page = 1; ; page++) {
      const { data, meta } = await this.#client.accounts.list({ reauth_required: true, page, limit });
      for (const account of data) listed.add(account.id);
      if (meta.next === null || data.length === 0 || page * limit >= meta.total) break;
    }
    for (const accountId of listed) await settle(accountId, true, before.get(accountId)?.changedAt);
    for (const state of before.values()) {
      if (state.reauthRequired && !listed.has(state.accountId)) await settle(state.accountId, await this.#required(state.accountId), state.changedAt);
    }
    return written;
  }

  /** `meta.reauth_required` of the account now; false for an account Relink no longer has. */
  async #required(accountId: string): Promise<boolean> {
    try {
      return (await this.#client.accounts.get(accountId)).meta.reauth_required;
    } catch (error) {
      if (error instanceof RelinkError && error.status === 404) return false;
      throw error;
    }
  }

  /** Writes what a check at `at` found, unless the account's state changed since the check began (`seen`). */
  async #settle(accountId: string, required: boolean, at: string, seen: string | undefined): Promise<ReauthState | undefined> {
    const { store } = this.#options;
    const current = await store.get(accountId);
    if (current?.changedAt !== seen) return undefined;
    const reauthCode = required ? (current?.reauthCode ?? (this.#options.fetchToken ? await this.#token(accountId) : null)) : null;
    // The token's fetch took a while: a webhook may have been handled meanwhile.
    if (reauthCode !== (current?.reauthCode ?? null) && (await store.get(accountId))?.changedAt !== seen) return undefined;
    const state: ReauthState = { accountId, reauthRequired: required, reauthCode, changedAt: at };
    await store.put(state);
    return state;
  }

  async #token(accountId: string): Promise<string> {
    return this.#client.v1.reauthorise(accountId);
  }
}
