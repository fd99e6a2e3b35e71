import type { Db } from '../db/database.ts';
import type { ConnectLinkRow, ConnectLinksTable } from '../db/schema.ts';
import type { Insertable } from 'kysely';

export class ConnectStore {
  constructor(private readonly db: Db) {}

  /** The app a public key belongs to; deleted apps answer to no key. */
  async appIdByPublicKey(publicKey: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('apps').select('id').where('public_key', '=', publicKey).where('deleted_at', 'is', null).executeTakeFirst();
    return row?.id;
  }

  async origins(appId: string): Promise<string[] | null> {
    const row = await this.db.selectFrom('apps').select('connect_origins').where('id', '=', appId).executeTakeFirst();
    return row?.connect_origins ? (JSON.parse(row.connect_origins) as string[]) : null;
  }

  async setOrigins(appId: string, origins: string[] | null, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('apps')
      .set({ connect_origins: origins === null ? null : JSON.stringify(origins), updated_at: now })
      .where('id', '=', appId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertSession(row: { session_id: string; app_id: string; reference: string | null; link_id: string | null; created_at: number }) {
    await this.db.insertInto('connect_sessions').values(row).execute();
  }

  /** Scoped to the app: a session another app's widget started is indistinguishable from none. */
  findSession(appId: string, sessionId: string) {
    return this.db.selectFrom('connect_sessions').selectAll().where('session_id', '=', sessionId).where('app_id', '=', appId).executeTakeFirst();
  }

  async insertLink(row: Insertable<ConnectLinksTable>) {
    await this.db.insertInto('connect_links').values(row).execute();
  }

  findLink(id: string): Promise<ConnectLinkRow | undefined> {
    return this.db.selectFrom('connect_links').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Marks a link used: one guarded update, so of two sessions finishing at once only one wins. */
  async useLink(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('connect_links')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
