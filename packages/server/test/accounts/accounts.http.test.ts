import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, OBJECT_ID, PASSWORD, exchange, link, settle, useServer } from '@relink/testkit';
import { ISO, eventsOf, step, v1Session } from '../support/linking.ts';

const HOUR = 3_600_000;

/** DD-MM-YYYY of an epoch ms, in UTC. */
const dmy = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${d.getUTCFullYear()}`;
};

for (const kind of databases()) {
  describe(`[${kind}] accounts and their data`, () => {
    const server = useServer(kind);
    let key: string;
    let id: string;
    const customer = { name: 'Ada Obi', email: 'ada.obi@example.com' };
    before(async () => {
      key = (await server.createApp()).secretKey;
      id = await link(server, key, 'user_good', { customer });
    });

    const get = (path: string) => call(server.url, 'GET', path, { key });
    const allTransactions = async () => {
      const res = await get(`/accounts/${id}/transactions?paginate=false`);
      assert.equal(res.status, 200, res.text);
      return res.body.data as any[];
    };

    test('linking records account_connected with the PROCESSING payload', async () => {
      const [connected, ...more] = await eventsOf(server, id, 'mono.events.account_connected');
      assert.equal(more.length, 0);
      const body = connected!.parsed;
      assert.deepEqual(Object.keys(body), ['event', 'event_id', 'timestamp', 'data']);
      assert.equal(body.event, 'mono.events.account_connected');
      assert.equal(body.event_id, connected!.id);
      assert.match(body.event_id, /^evt_[0-9A-Za-z]{24}$/);
      assert.match(body.timestamp, ISO);
      const customerId = (await get(`/v2/accounts/${id}`)).body.data.customer.id;
      assert.deepEqual(body.data, { id, customer: customerId, meta: { data_status: 'PROCESSING', auth_method: 'internet_banking' } });
    });

    test('after the first sync: the v1 and v2 account shapes, AVAILABLE, and account_updated', async () => {
      await settle(server);
      const v1 = await get(`/accounts/${id}`);
      assert.equal(v1.status, 200, v1.text);
      assert.deepEqual(Object.keys(v1.body).sort(), ['account', 'meta']);
      assert.deepEqual(Object.keys(v1.body.meta).sort(), ['auth_method', 'data_status', 'last_synced_at', 'reauth_required']);
      assert.equal(v1.body.meta.data_status, 'AVAILABLE');
      assert.equal(v1.body.meta.auth_method, 'internet_banking');
      assert.equal(v1.body.meta.reauth_required, false);
      assert.match(v1.body.meta.last_synced_at, ISO);
      const a = v1.body.account;
      assert.deepEqual(Object.keys(a).sort(), ['_id', 'accountNumber', 'balance', 'bvn', 'currency', 'institution', 'name', 'type']);
      assert.equal(a._id, id);
      assert.deepEqual(a.institution, { name: 'Relink Sandbox Bank', bankCode: '998', type: 'PERSONAL_BANKING' });
      assert.match(a.accountNumber, /^\d{10}$/);
      assert.ok(Number.isInteger(a.balance));
      assert.equal(a.currency, 'NGN');
      assert.equal(typeof a.bvn, 'string');

      const v2 = await get(`/v2/accounts/${id}`);
      assert.equal(v2.status, 200, v2.text);
      assert.equal(v2.body.status, 'successful');
      assert.deepEqual(Object.keys(v2.body.data).sort(), ['account', 'customer', 'meta']);
      assert.deepEqual(v2.body.data.account, {
        id,
        name: a.name,
        currency: 'NGN',
        type: a.type,
        account_number: a.accountNumber,
        balance: a.balance,
        bvn: a.bvn,
        institution: { name: 'Relink Sandbox Bank', bank_code: '998', type: 'PERSONAL_BANKING' },
      });
      assert.match(v2.body.data.customer.id, OBJECT_ID);
      const meta = v2.body.data.meta;
      assert.equal(meta.data_status, 'AVAILABLE');
      assert.equal(meta.auth_method, 'internet_banking');
      assert.deepEqual([...meta.retrieved_data].sort(), ['balance', 'identity', 'transactions']);
      assert.equal(meta.reauth_required, false);
      assert.match(meta.last_synced_at, ISO);
      assert.equal(meta.last_sync_error, null);

      const updated = await eventsOf(server, id, 'mono.events.account_updated');
      assert.equal(updated.length, 1);
      const data = updated[0]!.parsed.data;
      assert.deepEqual(Object.keys(data).sort(), ['account', 'meta']);
      assert.deepEqual(Object.keys(data.account).sort(), [
        '_id',
        'accountNumber',
        'authMethod',
        'balance',
        'bvn',
        'created_at',
        'currency',
        'institution',
        'name',
        'type',
        'updated_at',
      ]);
      assert.equal(data.account._id, id);
      assert.equal(data.account.accountNumber, a.accountNumber);
      assert.equal(data.account.balance, a.balance);
      assert.equal(data.account.authMethod, 'internet_banking');
      assert.deepEqual(data.account.institution, { name: 'Relink Sandbox Bank', bankCode: '998', type: 'PERSONAL_BANKING' });
      assert.match(data.account.created_at, ISO);
      assert.match(data.account.updated_at, ISO);
      assert.equal(data.meta.data_status, 'AVAILABLE');
      assert.equal(data.meta.auth_method, 'internet_banking');
      assert.deepEqual([...data.meta.retrieved_data].sort(), ['balance', 'identity', 'transactions']);
    });

    test('balance and identity', async () => {
      const account = (await get(`/v2/accounts/${id}`)).body.data.account;
      const balance = await get(`/v2/accounts/${id}/balance`);
      assert.equal(balance.status, 200, balance.text);
      assert.deepEqual(balance.body.data, { id, name: account.name, account_number: account.account_number, balance: account.balance, currency: 'NGN' });
      const identity = await get(`/accounts/${id}/identity`);
      assert.equal(identity.status, 200, identity.text);
      for (const field of ['fullName', 'email', 'phone', 'bvn']) assert.equal(typeof identity.body[field], 'string', field);
      assert.equal(identity.body.fullName, account.name);
      assert.ok(identity.body.bvn.endsWith(account.bvn));
    });

    test('v1 transactions: newest first, paginated with paging.next and previous', async () => {
      const all = await allTransactions();
      assert.ok(all.length > 40, `only ${all.length} transactions`);
      for (const t of all) {
        assert.deepEqual(Object.keys(t).sort(), ['_id', 'amount', 'balance', 'currency', 'date', 'narration', 'type']);
        assert.ok(t.type === 'debit' || t.type === 'credit');
        assert.ok(Number.isInteger(t.amount) && t.amount > 0);
        assert.match(t.date, ISO);
      }
      const dates = all.map((t) => Date.parse(t.date));
      assert.deepEqual(
        dates,
        [...dates].sort((x, y) => y - x),
      );

      const first = await get(`/accounts/${id}/transactions?limit=20`);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(Object.keys(first.body).sort(), ['data', 'meta', 'paging']);
      assert.equal(first.body.paging.total, all.length);
      assert.equal(first.body.paging.page, 1);
      assert.equal(first.body.paging.previous, null);
      assert.equal(first.body.data.length, 20);
      assert.deepEqual(
        first.body.data.map((t: any) => t._id),
        all.slice(0, 20).map((t) => t._id),
      );
      const next = new URL(first.body.paging.next, server.url);
      assert.equal(next.pathname, `/accounts/${id}/transactions`);
      assert.equal(next.searchParams.get('page'), '2');
      assert.equal(next.searchParams.get('limit'), '20');

      const second = await get(next.pathname + next.search);
      assert.deepEqual(
        second.body.data.map((t: any) => t._id),
        all.slice(20, 40).map((t) => t._id),
      );
      assert.equal(new URL(second.body.paging.previous, server.url).searchParams.get('page'), '1');

      const lastPage = Math.ceil(all.length / 20);
      const last = await get(`/accounts/${id}/transactions?limit=20&page=${lastPage}`);
      assert.equal(last.body.paging.next, null);
      assert.equal(last.body.data.length, all.length - (lastPage - 1) * 20);
      const beyond = await get(`/accounts/${id}/transactions?limit=20&page=${lastPage + 1}`);
      assert.deepEqual(beyond.body.data, []);
    });

    test('v2 transactions: the envelope with meta {total, page, previous, next}', async () => {
      const all = await allTransactions();
      const res = await get(`/v2/accounts/${id}/transactions?page=2&limit=10`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'successful');
      assert.deepEqual(Object.keys(res.body.meta).sort(), ['last_synced_at', 'next', 'page', 'previous', 'reauth_required', 'total']);
      assert.equal(res.body.meta.total, all.length);
      assert.equal(res.body.meta.page, 2);
      assert.equal(new URL(res.body.meta.previous, server.url).searchParams.get('page'), '1');
      assert.equal(new URL(res.body.meta.next, server.url).searchParams.get('page'), '3');
      assert.deepEqual(
        res.body.data.map((t: any) => t._id),
        all.slice(10, 20).map((t) => t._id),
      );
    });

    test('start and end filter by DD-MM-YYYY, end inclusive of its whole day; type and narration filter too', async () => {
      const all = await allTransactions();
      const pivot = Date.parse(all[Math.floor(all.length / 2)]!.date);
      const start = Date.parse(all[all.length - 5]!.date);
      const dayStart = (ms: number) => ms - (ms % 86_400_000);
      const expected = all.filter((t) => {
        const at = Date.parse(t.date);
        return at >= dayStart(start) && at < dayStart(pivot) + 86_400_000;
      });
      assert.ok(expected.length > 0);
      const res = await get(`/accounts/${id}/transactions?start=${dmy(start)}&end=${dmy(pivot)}&paginate=false`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.paging.total, expected.length);
      assert.deepEqual(
        res.body.data.map((t: any) => t._id),
        expected.map((t) => t._id),
      );
      const v2 = await get(`/v2/accounts/${id}/transactions?start=${dmy(start)}&end=${dmy(pivot)}&limit=500`);
      assert.equal(v2.body.meta.total, expected.length);

      const credits = await get(`/accounts/${id}/transactions?type=credit&paginate=false`);
      assert.equal(credits.body.paging.total, all.filter((t) => t.type === 'credit').length);
      const narration = all[0]!.narration.split(' ')[0];
      const named = await get(`/accounts/${id}/transactions?narration=${encodeURIComponent(narration)}&paginate=false`);
      assert.equal(named.body.paging.total, all.filter((t) => t.narration.toUpperCase().includes(narration.toUpperCase())).length);

      for (const [name, value] of [
        ['start', '31-31-2025x'],
        ['start', '31-13-2025'],
        ['end', '30-02-2026'],
        ['end', 'yesterday'],
      ]) {
        const bad = await get(`/v2/accounts/${id}/transactions?${name}=${value}`);
        assert.equal(bad.status, 400, `${name}=${value}: ${bad.text}`);
        assert.equal(bad.body.code, 'INVALID_INPUT');
        assert.match(bad.body.message, new RegExp(`query\\.${name} must be a date`));
      }
    });

    test('a requested sync of a non-MFA account, half a day later, brings new transactions', async () => {
      const before = (await get(`/v2/accounts/${id}/transactions`)).body.meta.total;
      const syncedAt = (await get(`/v2/accounts/${id}`)).body.data.meta.last_synced_at;
      server.clock.advance(12 * HOUR);
      const res = await call(server.url, 'POST', `/v2/accounts/${id}/sync`, { key });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'successful');
      assert.deepEqual(res.body.data, { status: 'PROCESSING' });
      await settle(server);
      const after = (await get(`/v2/accounts/${id}/transactions`)).body.meta.total;
      assert.ok(after > before, `total ${before} -> ${after}`);
      const meta = (await get(`/v2/accounts/${id}`)).body.data.meta;
      assert.equal(meta.data_status, 'AVAILABLE');
      assert.equal(meta.reauth_required, false);
      assert.ok(Date.parse(meta.last_synced_at) > Date.parse(syncedAt));
      assert.equal((await eventsOf(server, id, 'mono.events.account_updated')).length, 2);
      const v1 = await call(server.url, 'POST', `/accounts/${id}/sync`, { key });
      assert.equal(v1.status, 200);
      assert.equal(v1.body.status, 'successful');
    });

    test('an MFA account (user_otp) syncs right after the link, but a later sync needs reauth', async () => {
      const otp = await link(server, key, 'user_otp', { customer });
      await settle(server);
      assert.equal((await get(`/v2/accounts/${otp}`)).body.data.meta.data_status, 'AVAILABLE');
      server.clock.advance(12 * HOUR);
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${otp}/sync`, { key })).status, 200);
      await settle(server);
      const meta = (await get(`/v2/accounts/${otp}`)).body.data.meta;
      assert.equal(meta.reauth_required, true);
      assert.equal((await eventsOf(server, otp, 'mono.events.reauthorisation_required')).length, 1);
      const refused = await call(server.url, 'POST', `/v2/accounts/${otp}/sync`, { key });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'REAUTHORISATION_REQUIRED');
      assert.match(refused.body.message, /re-authorisation/);
    });

    test('linking the same bank account again for the same customer and app returns the same account id', async () => {
      const again = await link(server, key, 'user_good', { customer: { name: 'Ada', email: 'ADA.OBI@example.com' } });
      assert.equal(again, id);
      const v1 = await link(server, key, 'user_good', { api: 'v1' });
      assert.equal(v1, id, 'v1 sessions name no customer: the app-wide link is found');
      const otherCustomer = await link(server, key, 'user_good', { customer: { name: 'Someone', email: 'someone@example.com' } });
      assert.notEqual(otherCustomer, id);
      const connected = await eventsOf(server, id, 'mono.events.account_connected');
      assert.equal(connected.length, 3, 'each link is an account_connected');
    });

    test('relinking an account through another auth method records that auth method', async () => {
      const session = await v1Session(server, key, undefined, 'mobile_banking');
      const res = await step(server, key, 'v1', 'login', session, { username: 'user_good', password: PASSWORD });
      const again = await exchange(server, key, res.body.data.code);
      assert.equal(again, id);
      // The stored credentials are now the mobile-banking ones; a sync must log in with them there.
      assert.equal((await get(`/accounts/${id}`)).body.meta.auth_method, 'mobile_banking');
    });

    test('unlink: the account answers 404, its transactions and vault records are gone, account_unlinked is recorded', async () => {
      const db = server.services.database.db;
      await settle(server);
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const secrets = [row.credentials_secret_id, row.bank_state_secret_id].filter((s): s is string => s !== null);
      assert.ok(secrets.length >= 1);
      assert.ok((await db.selectFrom('transactions').select('id').where('account_id', '=', id).execute()).length > 0);

      const res = await call(server.url, 'POST', `/v2/accounts/${id}/unlink`, { key });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'successful');
      assert.equal(res.body.data, null);

      for (const path of [`/accounts/${id}`, `/v2/accounts/${id}`, `/v2/accounts/${id}/balance`, `/accounts/${id}/transactions`, `/accounts/${id}/identity`]) {
        const gone = await get(path);
        assert.equal(gone.status, 404, path);
        assert.equal(gone.body.code, 'ACCOUNT_NOT_FOUND');
      }
      const again = await call(server.url, 'POST', `/accounts/${id}/unlink`, { key });
      assert.equal(again.status, 404);
      assert.equal((await db.selectFrom('transactions').select('id').where('account_id', '=', id).execute()).length, 0);
      assert.equal((await db.selectFrom('vault_secrets').select('id').where('id', 'in', secrets).execute()).length, 0);
      const kept = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(kept.credentials_secret_id, null);
      assert.equal(kept.identity, null);
      assert.equal(kept.bvn, null);

      const unlinked = await eventsOf(server, id, 'mono.events.account_unlinked');
      assert.equal(unlinked.length, 1);
      assert.deepEqual(Object.keys(unlinked[0]!.parsed), ['event', 'event_id', 'timestamp', 'data']);
      assert.deepEqual(unlinked[0]!.parsed.data, { account: { _id: id } });

      const fresh = await link(server, key, 'user_good', { customer });
      assert.notEqual(fresh, id, 'linking after an unlink makes a new account');
    });

    test('v1 unlink answers {status, message}', async () => {
      const other = await link(server, key, 'user_question', { customer });
      const res = await call(server.url, 'POST', `/accounts/${other}/unlink`, { key });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'successful', message: 'Account unlinked successfully' });
    });
  });
}
