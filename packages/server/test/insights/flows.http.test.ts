// Credits and debits (v1 and v2, over HTTP and through the SDK) against the transactions the
// same account lists: totals, counts and every month of history, the data's freshness in
// `meta`, and only for the app that linked the account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, partner, resetLogin, settle, startTestServer, type TestServer } from '@relink/testkit';
import { ISO } from '../support/linking.ts';

/** The West Africa Time month of an ISO instant: the oracle, written apart from the server's. */
const watMonth = (iso: string) => new Date(Date.parse(iso) + 3_600_000).toISOString().slice(0, 7);

interface Tx {
  type: 'debit' | 'credit';
  amount: number;
  date: string;
}

/** What `/credits` (or `/debits`) should say, from the account's transactions. */
function expectedFlow(all: Tx[], type: Tx['type']) {
  const months = all.map((t) => watMonth(t.date)).sort();
  const history: { period: string; amount: number; transactions_count: number }[] = [];
  for (let m = months[0]!; m <= months.at(-1)!; ) {
    const of = all.filter((t) => t.type === type && watMonth(t.date) === m);
    history.push({ period: m, amount: of.reduce((s, t) => s + t.amount, 0), transactions_count: of.length });
    const [y, mo] = m.split('-').map(Number) as [number, number];
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }
  const ofType = all.filter((t) => t.type === type);
  return { total: ofType.reduce((s, t) => s + t.amount, 0), transactions_count: ofType.length, history };
}

for (const kind of databases()) {
  describe(`[${kind}] credits and debits`, () => {
    let server: TestServer;
    let key: string;
    let otherKey: string;
    let id: string;
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp('Lender')).secretKey;
      otherKey = (await server.createApp('Another partner')).secretKey;
      id = await link(server, key, 'user_good');
      await settle(server);
    });
    after(() => server.stop());

    const get = (path: string, as = key) => call(server.url, 'GET', path, { key: as });
    const transactions = async (): Promise<Tx[]> => {
      const res = await get(`/accounts/${id}/transactions?paginate=false`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data.length, res.body.paging.total, 'every transaction in one page');
      return res.body.data;
    };

    for (const type of ['credit', 'debit'] as const) {
      test(`${type}s: v1 bare and v2 in the envelope, equal to the sums of the account's own transactions`, async () => {
        const all = await transactions();
        assert.ok(all.some((t) => t.type === type));
        const expected = expectedFlow(all, type);
        assert.ok(expected.history.length >= 2, `${expected.history.length} months`);

        const v1 = await get(`/accounts/${id}/${type}s`);
        assert.equal(v1.status, 200, v1.text);
        assert.deepEqual(Object.keys(v1.body).sort(), ['history', 'meta', 'total', 'transactions_count']);
        const { meta, ...flow } = v1.body;
        assert.deepEqual(flow, expected);
        assert.deepEqual(Object.keys(meta).sort(), ['data_status', 'last_synced_at', 'reauth_required']);
        assert.equal(meta.data_status, 'AVAILABLE');
        assert.equal(meta.reauth_required, false);
        assert.match(meta.last_synced_at, ISO);

        const v2 = await get(`/v2/accounts/${id}/${type}s`);
        assert.equal(v2.status, 200, v2.text);
        assert.deepEqual(Object.keys(v2.body).sort(), ['data', 'message', 'meta', 'status', 'timestamp']);
        assert.equal(v2.body.status, 'successful');
        assert.match(v2.body.timestamp, ISO);
        assert.deepEqual(v2.body.data, expected);
        assert.deepEqual(v2.body.meta, meta);
      });
    }

    test('credits and debits cover the same months', async () => {
      const [credits, debits] = [(await get(`/v2/accounts/${id}/credits`)).body.data, (await get(`/v2/accounts/${id}/debits`)).body.data];
      assert.deepEqual(
        credits.history.map((m: any) => m.period),
        debits.history.map((m: any) => m.period),
      );
    });

    test('through the SDK: v2 answers data and meta, v1 the bare body, the same figures', async () => {
      const relink = partner(server, key);
      const credits = await relink.accounts.credits(id);
      assert.deepEqual(credits.data, (await get(`/v2/accounts/${id}/credits`)).body.data);
      assert.equal(credits.meta.reauth_required, false);
      const debits = await relink.accounts.debits(id);
      assert.deepEqual(debits.data, (await get(`/v2/accounts/${id}/debits`)).body.data);
      const v1 = await relink.v1.credits(id);
      assert.equal(v1.total, credits.data.total);
      assert.deepEqual(v1.history, credits.data.history);
      assert.equal((await relink.v1.debits(id)).transactions_count, debits.data.transactions_count);
    });

    test('waiting for re-authorisation: the stored figures still answer, with meta.reauth_required true', async () => {
      const other = await link(server, key, 'user_good+reauth');
      await settle(server);
      const before = await get(`/v2/accounts/${other}/credits`);
      assert.equal(before.body.meta.reauth_required, false);
      await resetLogin(server, key, other);
      for (const path of [`/accounts/${other}/credits`, `/v2/accounts/${other}/credits`, `/accounts/${other}/debits`, `/v2/accounts/${other}/debits`]) {
        const res = await get(path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.equal(res.body.meta.reauth_required, true, path);
        assert.equal(res.body.meta.last_synced_at, before.body.meta.last_synced_at, path);
      }
      assert.deepEqual((await get(`/v2/accounts/${other}/credits`)).body.data, before.body.data);
    });

    test("another app's key, an unknown account and an unlinked one: 404; a malformed id: 400", async () => {
      for (const path of [`/accounts/${id}/credits`, `/v2/accounts/${id}/credits`, `/accounts/${id}/debits`, `/v2/accounts/${id}/debits`]) {
        const res = await get(path, otherKey);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
        assert.equal(JSON.stringify(res.body).includes('"total"'), false, 'no figure of the account leaks');
        const unknown = await get(path.replace(id, '0123456789abcdef01234567'));
        assert.equal(unknown.status, 404, path);
        const malformed = await get(path.replace(id, 'not-an-account'));
        assert.equal(malformed.status, 400, path);
        assert.equal(malformed.body.code, 'INVALID_INPUT');
        assert.match(malformed.body.message, /id/);
      }
      const v2 = await get(`/v2/accounts/${id}/credits`, otherKey);
      assert.equal(v2.body.status, 'failed');
      assert.equal(v2.body.data, null);

      const gone = await link(server, key, 'user_good+gone');
      await settle(server);
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${gone}/unlink`, { key })).status, 200);
      assert.equal((await get(`/v2/accounts/${gone}/debits`)).status, 404);
    });
  });
}
