// Income (v1, v2 and the income records; over HTTP and through the SDK): the same estimate in
// every shape, made of the account's own credits, with the data's freshness in `meta`, bounded
// query parameters, and only for the app that linked the account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, partner, resetLogin, settle, startTestServer, type TestServer } from '@relink/testkit';
import { ISO } from '../support/linking.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

for (const kind of databases()) {
  describe(`[${kind}] income`, () => {
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

    test('v2: the analysis in data, with every field of both of Mono generations, meta beside it', async () => {
      const res = await get(`/v2/accounts/${id}/income`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['data', 'message', 'meta', 'status', 'timestamp']);
      assert.equal(res.body.status, 'successful');
      assert.deepEqual(res.body.meta, { data_status: 'AVAILABLE', reauth_required: false, last_synced_at: res.body.meta.last_synced_at });
      assert.match(res.body.meta.last_synced_at, ISO);
      const income = res.body.data;
      assert.equal(income.account, id);
      assert.equal(income.income_source_type, 'BANK');
      assert.match(income.first_transaction_date, DAY);
      assert.match(income.last_transaction_date, DAY);
      assert.match(income.period, /^\d+ months?$/);
      assert.ok(income.total_income > 0, 'user_good receives transfers');
      assert.equal(income.total_income, income.total_regular_income_amount + income.total_irregular_income_amount);
      assert.equal(income.income_summary.total_income, income.total_income);
      assert.equal(income.number_of_income_streams, income.income_streams.length);
      assert.equal(income.aggregated_monthly_average, income.aggregated_monthly_average_regular + income.aggregated_monthly_average_irregular);
      assert.equal(income.monthly_average, income.aggregated_monthly_average);
      assert.equal(income.monthly_average_regular, income.aggregated_monthly_average_regular);
      assert.equal(income.monthly_average_irregular, income.aggregated_monthly_average_irregular);
      assert.equal(income.annual_income, 12 * income.aggregated_monthly_average);
      assert.equal(income.monthly_income, income.aggregated_monthly_average_regular);
      assert.ok(income.confidence >= 0 && income.confidence <= 1);
      for (const s of income.income_streams) {
        assert.ok(['WAGES', 'OTHER'].includes(s.income_type), s.income_type);
        assert.equal(s.frequency, s.regular ? 'MONTHLY' : 'IRREGULAR');
        assert.equal(s.currency, 'NGN');
        assert.match(s.last_income_date, DAY);
        assert.ok(s.first_income_date <= s.last_income_date);
        assert.ok(s.periods_with_income <= s.number_of_months && s.number_of_incomes >= s.periods_with_income);
      }
    });

    test("the income records: one record, the same analysis, and the credits it counted are the account's own credits", async () => {
      const income = (await get(`/v2/accounts/${id}/income`)).body.data;
      const res = await get(`/v2/accounts/${id}/income-records`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body.meta).sort(), ['data_status', 'last_synced_at', 'next', 'pages', 'previous', 'reauth_required', 'total']);
      assert.deepEqual([res.body.meta.total, res.body.meta.pages, res.body.meta.previous, res.body.meta.next], [1, 1, null, null]);
      const [record, ...more] = res.body.data;
      assert.equal(more.length, 0);
      assert.deepEqual(Object.keys(record).sort(), ['app', 'created_at', 'income', 'income_transactions', 'updated_at']);
      assert.deepEqual(record.income, income);
      assert.equal(record.created_at, res.body.meta.last_synced_at);

      const counted = record.income_transactions as any[];
      assert.equal(
        counted.reduce((s, t) => s + t.amount, 0),
        income.total_income,
      );
      const credits = (await get(`/accounts/${id}/transactions?type=credit&paginate=false`)).body.data as any[];
      const byId = new Map(credits.map((t) => [t._id, t]));
      for (const t of counted) {
        const stored = byId.get(t._id);
        assert.ok(stored, `${t._id} is one of the account's credits`);
        assert.deepEqual([t.amount, t.narration, t.date], [stored.amount, stored.narration, stored.date]);
        const stream = income.income_streams.find((s: any) => s.source === t.source);
        assert.ok(stream, `${t.source} is a stream`);
        assert.deepEqual([t.income_type, t.frequency], [stream.income_type, stream.frequency]);
      }
      for (const s of income.income_streams) assert.equal(counted.filter((t) => t.source === s.source).length, s.number_of_incomes, s.source);
      const dates = counted.map((t) => t.date);
      assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');

      const second = await get(`/v2/accounts/${id}/income-records?page=2`);
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(second.body.data, []);
      assert.equal(new URL(second.body.meta.previous, server.url).searchParams.get('page'), '1');
      assert.equal(second.body.meta.next, null);
    });

    test('v1: the estimate in both of Mono v1 shapes, the same figures as v2', async () => {
      const v2 = (await get(`/v2/accounts/${id}/income`)).body.data;
      const res = await get(`/accounts/${id}/income`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), [
        'amount',
        'average_income',
        'confidence',
        'employer',
        'income_sources',
        'meta',
        'monthly_income',
        'type',
        'yearly_income',
      ]);
      const { meta, ...v1 } = res.body;
      assert.equal(meta.reauth_required, false);
      assert.deepEqual(v1, {
        type: v2.total_income === 0 ? 'NONE' : v2.total_regular_income_amount >= v2.total_irregular_income_amount ? 'REGULAR' : 'IRREGULAR',
        amount: v2.aggregated_monthly_average,
        employer: v2.income_summary.employer,
        confidence: v2.confidence,
        average_income: v2.aggregated_monthly_average,
        monthly_income: v2.monthly_income,
        yearly_income: v2.annual_income,
        income_sources: v2.number_of_income_streams,
      });
    });

    test('period: the last N calendar months of data; the same through the records', async () => {
      const all = (await get(`/v2/accounts/${id}/income`)).body.data;
      const one = await get(`/v2/accounts/${id}/income?period=1`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.data.period, '1 month');
      assert.equal(one.body.data.last_transaction_date, all.last_transaction_date);
      assert.equal(one.body.data.first_transaction_date.slice(0, 7), all.last_transaction_date.slice(0, 7));
      assert.ok(one.body.data.total_income <= all.total_income);
      const records = await get(`/v2/accounts/${id}/income-records?period=1`);
      assert.deepEqual(records.body.data[0].income, one.body.data);
      const wide = await get(`/v2/accounts/${id}/income?period=120`);
      assert.deepEqual(wide.body.data, all, 'a period longer than the data is all of it');
    });

    test('through the SDK: v2 income and records with meta, v1 income bare', async () => {
      const relink = partner(server, key);
      const income = await relink.accounts.income(id);
      assert.deepEqual(income.data, (await get(`/v2/accounts/${id}/income`)).body.data);
      assert.equal(income.meta.reauth_required, false);
      const records = await relink.accounts.incomeRecords(id, { period: 1 });
      assert.deepEqual(records.data[0]!.income, (await relink.accounts.income(id, { period: 1 })).data);
      assert.equal(records.meta.total, 1);
      const v1 = await relink.v1.income(id);
      assert.equal(v1.amount, income.data.aggregated_monthly_average);
      assert.equal(v1.meta.data_status, 'AVAILABLE');
    });

    test('bad query parameters: 400 INVALID_INPUT naming the parameter', async () => {
      for (const [path, name] of [
        [`/v2/accounts/${id}/income?period=0`, 'period'],
        [`/v2/accounts/${id}/income?period=121`, 'period'],
        [`/v2/accounts/${id}/income?period=six`, 'period'],
        [`/v2/accounts/${id}/income?period=1.5`, 'period'],
        [`/v2/accounts/${id}/income-records?period=-1`, 'period'],
        [`/v2/accounts/${id}/income-records?page=0`, 'page'],
        [`/v2/accounts/${id}/income-records?page=1001`, 'page'],
      ] as const) {
        const res = await get(path);
        assert.equal(res.status, 400, `${path}: ${res.text}`);
        assert.equal(res.body.code, 'INVALID_INPUT', path);
        assert.equal(res.body.status, 'failed');
        assert.match(res.body.message, new RegExp(name), path);
      }
    });

    test('waiting for re-authorisation: the stored estimate still answers, with meta.reauth_required true', async () => {
      const other = await link(server, key, 'user_good+reauth');
      await settle(server);
      const before = (await get(`/v2/accounts/${other}/income`)).body;
      await resetLogin(server, key, other);
      for (const path of [`/accounts/${other}/income`, `/v2/accounts/${other}/income`, `/v2/accounts/${other}/income-records`]) {
        const res = await get(path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.equal(res.body.meta.reauth_required, true, path);
        assert.equal(res.body.meta.last_synced_at, before.meta.last_synced_at, path);
      }
      assert.deepEqual((await get(`/v2/accounts/${other}/income`)).body.data, before.data);
    });

    test("another app's key and an unknown account: 404, and nothing of the account in the answer", async () => {
      for (const path of [`/accounts/${id}/income`, `/v2/accounts/${id}/income`, `/v2/accounts/${id}/income-records`]) {
        const res = await get(path, otherKey);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
        assert.equal(JSON.stringify(res.body).includes('income'), false, path);
        assert.equal((await get(path.replace(id, '0123456789abcdef01234567'))).status, 404, path);
      }
    });
  });
}
