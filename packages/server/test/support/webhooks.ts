/**
 * Webhook test support for the server's tests: account rows to fire events for, and the
 * deliveries and attempts as stored. The receiver and the bounded wait are in @relink/testkit.
 */
import { call, type TestServer } from '@relink/testkit';
import type { Db } from '../../src/db/database.ts';
import { newObjectId } from '../../src/lib/ids.ts';

/** An account (and its customer) for `appId`, written straight to the database. */
export async function insertAccount(db: Db, appId: string, now = Date.now()): Promise<string> {
  const customerId = newObjectId();
  const id = newObjectId();
  await db
    .insertInto('customers')
    .values({ id: customerId, app_id: appId, name: 'Ada Obi', email: `ada.${customerId}@example.com`, created_at: now })
    .execute();
  await db
    .insertInto('accounts')
    .values({
      id,
      app_id: appId,
      customer_id: customerId,
      institution_id: '5f2d08be60b92e2888287000',
      auth_method: 'internet_banking',
      account_number: '0123456789',
      name: 'ADA OBI',
      type: 'SAVINGS',
      currency: 'NGN',
      balance: 125_000_00,
      bvn: '22212345678',
      identity: null,
      data_status: 'AVAILABLE',
      retrieved_data: JSON.stringify(['identity', 'balance', 'transactions']),
      reauth_required: 0,
      credentials_secret_id: null,
      bank_state_secret_id: null,
      sync_due_at: null,
      sync_claimed_until: null,
      last_synced_at: now,
      created_at: now,
      updated_at: now,
      unlinked_at: null,
    })
    .execute();
  return id;
}

export async function fire(server: { url: string }, key: string, account: string, event = 'mono.events.account_updated') {
  const res = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', { key, body: { event, account } });
  if (res.status !== 200) throw new Error(`fire answered ${res.status}: ${res.text}`);
  return res.body.data as { event_id: string; event: string; delivery_id: string | null };
}

export function deliveriesOf(server: TestServer, appId: string) {
  return server.services.database.db.selectFrom('webhook_deliveries').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();
}

export function attemptsOf(server: TestServer, deliveryId: string) {
  return server.services.database.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempted_at').execute();
}
