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

  /**
   * Claims the link for one start of a session: one guarded update, so of concurrent starts
   * exactly one holds it. False when the link is used, expired, or another start holds it (a
   * claim past `start_until`, left by a crashed start, no longer counts).
   */
  async claimStart(id: string, token: string, now: number, until: number): Promise<boolean> {
    const result = await this.db
      .updateTable('connect_links')
      .set({ start_token: token, start_until: until })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .where((eb) => eb.or([eb('start_until', 'is', null), eb('start_until', '<=', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The claim's start made `sessionId`: it becomes the link's live session, and with `usedAt` (it completed at once) the link is used. False when the claim was lost. */
  async finishStart(id: string, token: string, sessionId: string, usedAt: number | null): Promise<boolean> {
    const result = await this.db
      .updateTable('connect_links')
      .set({ live_session_id: sessionId, start_token: null, start_until: null, ...(usedAt === null ? {} : { used_at: usedAt }) })
      .where('id', '=', id)
      .where('start_token', '=', token)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the claim back (the start failed), marking the link used at `usedAt` if given. */
  async releaseStart(id: string, token: string, usedAt: number | null = null): Promise<void> {
    await this.db
      .updateTable('connect_links')
      .set({ start_token: null, start_until: null, ...(usedAt === null ? {} : { used_at: usedAt }) })
      .where('id', '=', id)
      .where('start_token', '=', token)
      .execute();
  }

  /** Every session a link has started: the live one and any older (a session made before links had one live session included). */
  async linkSessionIds(linkId: string): Promise<string[]> {
    const link = await this.findLink(linkId);
    const rows = await this.db.selectFrom('connect_sessions').select('session_id').where('link_id', '=', linkId).execute();
    return [...new Set([...rows.map((r) => r.session_id), ...(link?.live_session_id ? [link.live_session_id] : [])])];
  }

  /** Marks a link used: one guarded update, so of two sessions finishing at once only one wins. */
  async useLink(id: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('connect_links').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
