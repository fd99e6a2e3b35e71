import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Next, Ui } from './relink.ts';

/**
 * The lending app's own database. `users` carries the columns Mono's re-authorisation guide
 * (seed `002_…`) asks a partner to add beside each connected user: `reauth_required` (false by
 * default) and `reauth_code` (null), plus the linked account's id. `account_owners` remembers
 * whose each Relink account is, so that one never becomes another user's (see `users.link`).
 */
export interface User {
  id: string;
  name: string;
  email: string;
  accountId: string | null;
  reauthRequired: boolean;
  reauthCode: string | null;
  reauthChangedAt: string | null;
}

/** A reconnect without the widget in progress: the Relink session and what it asks next. */
export interface ReconnectAttempt {
  sessionId: string;
  next: Next;
  userInput: Ui;
  expiresAt: number;
}

export const DEMO_USERS = [
  { id: 'ada', name: 'Ada Obi', email: 'ada@example.com' },
  { id: 'tunde', name: 'Tunde Bakare', email: 'tunde@example.com' },
];

export type PartnerDb = ReturnType<typeof openDatabase>;

export function openDatabase(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    create table if not exists users (
      id text primary key, name text not null, email text not null,
      account_id text unique,
      reauth_required integer not null default 0,
      reauth_code text,
      reauth_changed_at text
    );
    create table if not exists sessions (token text primary key, user_id text not null references users(id), flash text);
    create table if not exists seen_events (event_id text primary key);
    create table if not exists reconnect_attempts (
      user_id text primary key references users(id), session_id text not null, next text not null, user_input text not null, expires_at integer not null
    );
    create table if not exists account_owners (account_id text primary key, user_id text not null references users(id), first_linked_at text not null);
    insert or ignore into account_owners (account_id, user_id, first_linked_at)
      select account_id, id, coalesce(reauth_changed_at, '') from users where account_id is not null;
  `);
  const addUser = db.prepare('insert or ignore into users (id, name, email) values (?, ?, ?)');
  for (const user of DEMO_USERS) addUser.run(user.id, user.name, user.email);

  return {
    raw: db,
    close: () => db.close(),
    users: {
      all: () => (db.prepare('select * from users order by name').all() as UserRow[]).map(toUser),
      get: (id: string) => toMaybeUser(db.prepare('select * from users where id = ?').get(id) as UserRow | undefined),
      byAccount: (accountId: string) => toMaybeUser(db.prepare('select * from users where account_id = ?').get(accountId) as UserRow | undefined),
      /**
       * A new link replaces the user's account and starts healthy, unless the account is another
       * user's: then nothing changes and the answer is `taken`. An account belongs to the first
       * user it was linked for, for good (`account_owners`), even after they link another one, so
       * a code for it (a link's, or a reauth's from someone who knew its id) never moves it.
       * The claim is one guarded upsert: it changes a row only for a new account or its owner.
       */
      link: (userId: string, accountId: string): 'linked' | 'taken' =>
        db.transaction(() => {
          const now = new Date().toISOString();
          const claimed = db
            .prepare(
              `insert into account_owners (account_id, user_id, first_linked_at) values (?, ?, ?)
               on conflict (account_id) do update set user_id = excluded.user_id where account_owners.user_id = excluded.user_id`,
            )
            .run(accountId, userId, now).changes;
          if (claimed !== 1) return 'taken' as const;
          db.prepare('update users set account_id = ?, reauth_required = 0, reauth_code = null, reauth_changed_at = ? where id = ?').run(
            accountId,
            now,
            userId,
          );
          return 'linked' as const;
        })(),
      /** The tracker's write: the seed's two columns, for whoever holds this account. */
      setReauth: (accountId: string, required: boolean, code: string | null, changedAt: string) =>
        db
          .prepare('update users set reauth_required = ?, reauth_code = ?, reauth_changed_at = ? where account_id = ?')
          .run(required ? 1 : 0, code, changedAt, accountId).changes,
    },
    sessions: {
      create: (userId: string) => {
        const token = randomBytes(24).toString('base64url');
        db.prepare('insert into sessions (token, user_id) values (?, ?)').run(token, userId);
        return token;
      },
      user: (token: string) =>
        toMaybeUser(db.prepare('select users.* from sessions join users on users.id = sessions.user_id where token = ?').get(token) as UserRow | undefined),
      delete: (token: string) => void db.prepare('delete from sessions where token = ?').run(token),
      setFlash: (token: string, flash: Flash | null) =>
        void db.prepare('update sessions set flash = ? where token = ?').run(flash ? JSON.stringify(flash) : null, token),
      /** Reads and clears the one-time message shown after a redirect. */
      takeFlash: (token: string): Flash | null =>
        db.transaction(() => {
          const row = db.prepare('select flash from sessions where token = ?').get(token) as { flash: string | null } | undefined;
          if (row?.flash) db.prepare('update sessions set flash = null where token = ?').run(token);
          return row?.flash ? (JSON.parse(row.flash) as Flash) : null;
        })(),
    },
    events: {
      /** False when this event id was applied before (Relink delivers at least once). */
      markSeen: (eventId: string) => db.prepare('insert or ignore into seen_events (event_id) values (?)').run(eventId).changes === 1,
    },
    reconnects: {
      get: (userId: string): ReconnectAttempt | undefined => {
        const row = db.prepare('select * from reconnect_attempts where user_id = ?').get(userId) as
          | { session_id: string; next: string; user_input: string; expires_at: number }
          | undefined;
        return row && { sessionId: row.session_id, next: row.next as Next, userInput: JSON.parse(row.user_input) as Ui, expiresAt: row.expires_at };
      },
      put: (userId: string, attempt: ReconnectAttempt) =>
        void db
          .prepare(
            `insert into reconnect_attempts (user_id, session_id, next, user_input, expires_at) values (?, ?, ?, ?, ?)
             on conflict (user_id) do update set session_id = excluded.session_id, next = excluded.next, user_input = excluded.user_input, expires_at = excluded.expires_at`,
          )
          .run(userId, attempt.sessionId, attempt.next, JSON.stringify(attempt.userInput), attempt.expiresAt),
      delete: (userId: string) => void db.prepare('delete from reconnect_attempts where user_id = ?').run(userId),
    },
  };
}

export interface Flash {
  kind: 'ok' | 'error' | 'info';
  text: string;
  /** Something to type exactly (a sandbox password), shown apart from the sentence. */
  code?: string;
}

interface UserRow {
  id: string;
  name: string;
  email: string;
  account_id: string | null;
  reauth_required: number;
  reauth_code: string | null;
  reauth_changed_at: string | null;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    accountId: row.account_id,
    reauthRequired: row.reauth_required === 1,
    reauthCode: row.reauth_code,
    reauthChangedAt: row.reauth_changed_at,
  };
}
const toMaybeUser = (row: UserRow | undefined) => (row ? toUser(row) : undefined);
