// The three sandbox users made for income, linked and synced as a partner would, then read
// through the SDK (v2) and over HTTP (v1): a salary is regular income from one employer, a gig
// worker's payouts are irregular, and someone living on their own savings has none.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, partner, settle, startTestServer, type TestServer } from '@relink/testkit';

for (const kind of databases()) {
  describe(`[${kind}] the sandbox's income users`, () => {
    let server: TestServer;
    let key: string;
    const ids: Record<string, string> = {};
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp('Lender')).secretKey;
      for (const username of ['user_salary', 'user_gig', 'user_noincome']) ids[username] = await link(server, key, username);
      await settle(server);
    });
    after(() => server.stop());

    const v1 = async (id: string) => {
      const res = await call(server.url, 'GET', `/accounts/${id}/income`, { key });
      assert.equal(res.status, 200, res.text);
      return res.body;
    };

    test('each holds a year of history whose credits less debits is how its balance moved', async () => {
      const relink = partner(server, key);
      for (const id of Object.values(ids)) {
        const [credits, debits] = [await relink.accounts.credits(id), await relink.accounts.debits(id)];
        assert.ok(credits.data.history.length >= 12 && credits.data.history.length <= 13, `${credits.data.history.length} months`);
        const all = (await relink.v1.transactions(id, { paginate: false })).data;
        assert.equal(all.length, credits.data.transactions_count + debits.data.transactions_count);
        const [newest, oldest] = [all[0]!, all.at(-1)!];
        const opening = oldest.balance + (oldest.type === 'debit' ? oldest.amount : -oldest.amount);
        assert.equal(opening + credits.data.total - debits.data.total, newest.balance);
        assert.equal((await relink.accounts.balance(id)).balance, newest.balance);
      }
    });

    test('user_salary: one regular WAGES stream from its employer, paid every month; confident', async () => {
      const relink = partner(server, key);
      const { data: income, meta } = await relink.accounts.income(ids.user_salary!);
      assert.equal(meta.reauth_required, false);
      const regular = income.income_streams.filter((s) => s.regular);
      assert.equal(regular.length, 1);
      const [salary] = regular;
      assert.deepEqual([salary!.income_type, salary!.frequency, salary!.stability], ['WAGES', 'MONTHLY', 1]);
      assert.match(salary!.source, /LTD$/);
      assert.ok(salary!.number_of_incomes >= 11 && salary!.number_of_incomes <= 13, `${salary!.number_of_incomes} salaries`);
      assert.equal(salary!.periods_with_income, salary!.number_of_incomes);
      assert.equal(salary!.monthly_average, salary!.last_income_amount, 'the same pay every month');
      assert.equal(income.income_summary.employer, salary!.source);
      assert.equal(income.monthly_income, salary!.monthly_average);
      assert.ok(income.total_regular_income_amount > 0.9 * income.total_income);
      assert.ok(income.income_streams.filter((s) => !s.regular).every((s) => s.income_type === 'OTHER'));
      assert.ok(income.confidence >= 0.8, `${income.confidence}`);

      const records = await relink.accounts.incomeRecords(ids.user_salary!);
      const counted = records.data[0]!.income_transactions;
      assert.equal(counted.filter((t) => t.source === salary!.source).length, salary!.number_of_incomes);
      assert.ok(counted.filter((t) => t.frequency === 'MONTHLY').every((t) => t.narration.includes('/SALARY ')));

      const bare = await v1(ids.user_salary!);
      assert.deepEqual(
        [bare.type, bare.employer, bare.monthly_income, bare.confidence],
        ['REGULAR', salary!.source, salary!.monthly_average, income.confidence],
      );
    });

    test('user_gig: several irregular streams, none regular, no employer; half as confident', async () => {
      const relink = partner(server, key);
      const { data: income } = await relink.accounts.income(ids.user_gig!);
      assert.ok(income.income_streams.length >= 3, `${income.income_streams.length} streams`);
      assert.ok(income.income_streams.every((s) => !s.regular && s.frequency === 'IRREGULAR'));
      const platforms = income.income_streams.filter((s) => /SWIFTRIDE|CHOPNOW|TASKHUB/.test(s.source));
      assert.equal(platforms.length, 3);
      assert.ok(
        platforms.every((s) => s.number_of_incomes > s.periods_with_income),
        'several payouts a month',
      );
      assert.equal(income.income_summary.employer, '');
      assert.deepEqual([income.total_regular_income_amount, income.monthly_income], [0, 0]);
      assert.ok(income.aggregated_monthly_average_irregular > 0);
      assert.equal(income.aggregated_monthly_average, income.aggregated_monthly_average_irregular);
      assert.ok(income.confidence > 0.3 && income.confidence <= 0.5, `${income.confidence}`);

      const bare = await v1(ids.user_gig!);
      assert.deepEqual([bare.type, bare.employer, bare.monthly_income], ['IRREGULAR', '', 0]);
      assert.equal(bare.income_sources, income.number_of_income_streams);
    });

    test('user_noincome: money comes in, but none of it is income', async () => {
      const relink = partner(server, key);
      const credits = await relink.accounts.credits(ids.user_noincome!);
      assert.ok(credits.data.total > 0, 'top-ups and reversals are credits');
      const { data: income } = await relink.accounts.income(ids.user_noincome!);
      assert.deepEqual(
        [income.total_income, income.income_streams, income.aggregated_monthly_average, income.confidence, income.income_summary.employer],
        [0, [], 0, 0, ''],
      );
      assert.ok(income.first_transaction_date !== null, 'the period is there; the income is not');
      assert.deepEqual((await relink.accounts.incomeRecords(ids.user_noincome!)).data[0]!.income_transactions, []);
      const bare = await v1(ids.user_noincome!);
      assert.deepEqual([bare.type, bare.amount, bare.confidence, bare.income_sources], ['NONE', 0, 0, 0]);
    });

    test('GET /v2/connect/sandbox lists the three', async () => {
      const { credentials } = await partner(server, key).connect.sandbox();
      for (const username of ['user_salary', 'user_gig', 'user_noincome']) {
        const listed = credentials.find((c) => c.values.username === username);
        assert.ok(listed, username);
        assert.equal(listed.values.password, 'pass_good');
        assert.match(listed.description, /income/);
      }
    });
  });
}
