/**
 * Webhook test support: a real HTTP receiver on 127.0.0.1 that records every request and
 * answers as the test says, account rows to fire events for, and a bounded wait.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../src/db/database.ts';
import { newObjectId } from '../../src/lib/ids.ts';
import { call, type TestServer } from '../helpers.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** `webhook-id` of the request. */
  id: string;
}

export type Answer = (request: Received, response: ServerResponse, index: number) => void;

export interface Receiver {
  url: string;
  received: Received[];
  answer: Answer;
  close(): Promise<void>;
}

export const ok: Answer = (_req, res) => res.writeHead(200).end('ok');

export async function startReceiver(answer: Answer = ok): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = { url: '', received, answer, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), id: String(req.headers['webhook-id']) };
      received.push(entry);
      receiver.answer(entry, res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** An account (and its customer) for `appId`, written straight to the database. */
export async function insertAccount(db: Db, appId: string, now = Date.now()): Promise<string> {
  const customerId = newObjectId();
  const id = newObjectId();
  await db.insertInto('customers').values({ id: customerId, app_id: appId, name: 'Ada Obi', email: 'ada@example.com', created_at: now }).execute();
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

/** Sets the app's endpoint through the API and returns the new webhook secret. */
export async function setEndpoint(server: { url: string }, key: string, url: string): Promise<string> {
  const res = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key, body: { url } });
  if (res.status !== 200) throw new Error(`PUT /v2/webhooks/endpoint answered ${res.status}: ${res.text}`);
  return res.body.data.webhook_secret as string;
}

export async function fire(server: { url: string }, key: string, account: string, event = 'mono.events.account_updated') {
  const res = await call(server.url, 'POST', '/v2/sandbox/webhooks/fire', { key, body: { event, account } });
  if (res.status !== 200) throw new Error(`fire answered ${res.status}: ${res.text}`);
  return res.body.data as { event_id: string; event: string; delivery_id: string | null };
}

/** Waits until `check` holds, polling every 20 ms, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function deliveriesOf(server: TestServer, appId: string) {
  return server.services.database.db.selectFrom('webhook_deliveries').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();
}

export function attemptsOf(server: TestServer, deliveryId: string) {
  return server.services.database.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempted_at').execute();
}
