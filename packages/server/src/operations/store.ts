import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AccountRow } from '../db/schema.ts';

/** A filter in the store's terms: institutions already resolved to ids. */
export interface AccountQuery {
  appId?: string | undefined;
  institutionIds?: string[] | undefined;
  reauthRequired?: boolean | undefined;
  failingSync?: boolean | undefined;
  search?: string | undefined;
  includeUnlinked?: boolean | undefined;
}

export type AccountListRow = AccountRow & { app_name: string | null };

/**
 * What an operator reads, across apps: accounts, their sessions, events, real-time jobs and
 * re-authorisation episodes. Read only: every write stays with the service that owns the table
 * (`accounts/`, `sessions/`, `events/`, `sync/`); deliveries are read through `webhooks/`.
 */
export class OperationsStore {
  constructor(private readonly db: Db) {}

  /** Newest link first. */
  async accounts(query: AccountQuery, page: { limit: number; offset: number }): Promise<{ rows: AccountListRow[]; total: number }> {
    const search = query.search?.trim();
    const base = this.db
      .selectFrom('accounts as a')
      .leftJoin('apps as p', 'p.id', 'a.app_id')
      .$if(!query.includeUnlinked, (q) => q.where('a.unlinked_at', 'is', null))
      .$if(query.appId !== undefined, (q) => q.where('a.app_id', '=', query.appId!))
      .$if(query.institutionIds !== undefined, (q) => q.where('a.institution_id', 'in', query.institutionIds!.length > 0 ? query.institutionIds! : ['']))
      .$if(query.reauthRequired === true, (q) => q.where('a.reauth_required', '=', 1))
      .$if(query.failingSync === true, (q) => q.where('a.last_sync_error', 'is not', null).where('a.reauth_required', '=', 0))
      .$if(Boolean(search), (q) =>
        q.where((eb) =>
          eb.or([
            eb('a.id', '=', search!),
            eb('a.account_number', '=', search!),
            sql<boolean>`lower(a.name) like ${`%${escapeLike(search!.toLowerCase())}%`} escape '\\'`,
          ]),
        ),
      );
    const [rows, total] = await Promise.all([
      base.selectAll('a').select('p.name as app_name').orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** Any app's account, unlinked or not. */
  account(id: string): Promise<AccountListRow | undefined> {
    return this.db
      .selectFrom('accounts as a')
      .leftJoin('apps as p', 'p.id', 'a.app_id')
      .selectAll('a')
      .select('p.name as app_name')
      .where('a.id', '=', id)
      .executeTakeFirst();
  }

  /** Live accounts, and how many of them wait for re-authorisation, by why (one pass over the accounts). */
  async accountCounts(): Promise<{ linked: number; waiting: Record<string, number> }> {
    const rows = await this.db
      .selectFrom('accounts')
      .select((eb) => ['reauth_required', 'reauth_cause', eb.fn.countAll<number | string>().as('n')])
      .where('unlinked_at', 'is', null)
      .groupBy(['reauth_required', 'reauth_cause'])
      .execute();
    const waiting: Record<string, number> = {};
    let linked = 0;
    for (const row of rows) {
      linked += Number(row.n);
      if (row.reauth_required === 1) waiting[row.reauth_cause ?? 'unknown'] = (waiting[row.reauth_cause ?? 'unknown'] ?? 0) + Number(row.n);
    }
    return { linked, waiting };
  }

  /**
   * Episodes that began or ended at `since` or later, newest first, at most `limit`: two range
   * reads, one on each time's index (`or` of the two made SQLite scan every episode).
   */
  async episodesSince(since: number, limit: number) {
    const columns = ['id', 'cause', 'institution_id', 'started_at', 'ended_at', 'outcome', 'sessions', 'session_at', 'login_at', 'challenge_at'] as const;
    const [began, endedOnly] = await Promise.all([
      this.db.selectFrom('reauth_episodes').select(columns).where('started_at', '>=', since).orderBy('started_at', 'desc').limit(limit).execute(),
      this.db.selectFrom('reauth_episodes').select(columns).where('ended_at', '>=', since).where('started_at', '<', since).limit(limit).execute(),
    ]);
    return [...began, ...endedOnly].slice(0, limit);
  }

  episodesOf(accountId: string) {
    return this.db.selectFrom('reauth_episodes').selectAll().where('account_id', '=', accountId).orderBy('started_at', 'desc').execute();
  }

  sessionsOf(accountId: string, limit: number) {
    return this.db
      .selectFrom('sessions')
      .select(['id', 'kind', 'origin', 'status', 'state', 'created_at', 'updated_at'])
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** The account's newest `limit` events (index `events_account`, migration 0020). */
  eventsOf(accountId: string, limit: number) {
    return this.db
      .selectFrom('events')
      .select(['id', 'type', 'body', 'created_at'])
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  realtimeJobsOf(accountId: string, limit: number) {
    return this.db
      .selectFrom('realtime_jobs')
      .select(['id', 'name', 'status', 'error', 'started_at', 'finished_at'])
      .where('account_id', '=', accountId)
      .orderBy('started_at', 'desc')
      .limit(limit)
      .execute();
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
