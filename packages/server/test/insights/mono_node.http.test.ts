// Mono's own Node SDK, mono-node 1.0.3 as published, against Relink: a partner's existing code
// changes only the base URL and the key. Statements (JSON, and a PDF polled until built and
// downloaded), credits, debits and income are read through mono-node's methods only, over a
// real loopback socket, and checked against what Relink's own routes say; another app's key
// gets nothing. mono-node resolves `undefined` (it swallows the error) when a call fails, and
// hands the failure's body to a callback when one is given: both are checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, settle, startTestServer, type TestServer, waitFor } from '@relink/testkit';
import { Mono } from 'mono-node';
import { download, pdfLines, rowOf } from '../support/statements.ts';

/** A transaction as the v1 statement and `/v2/accounts/{id}/transactions` carry it. */
interface Tx {
  _id: string;
  type: 'debit' | 'credit';
  amount: number;
  narration: string;
  date: string;
  balance: number;
  currency: string;
}

/**
 * A mono-node client for Relink. mono-node takes no base URL: its constructor builds one axios
 * instance on https://api.withmono.com with the `mono-sec-key` header, shared by `auth`,
 * `account`, `misc` and `user`, so pointing that instance at Relink moves every call.
 */
function monoFor(server: { url: string }, key: string): Mono {
  const mono = new Mono({ secretKey: key });
  (mono.account as unknown as { axios: { defaults: { baseURL: string } } }).axios.defaults.baseURL = server.url;
  return mono;
}

/** mono-node's answer: the axios response on success, `undefined` when the call failed. */
type Answer = { status: number; data: any } | undefined;

/** Calls a mono-node method with a callback too; answers the promise's value and what the callback got. */
async function withCallback(run: (callback: (error: unknown, result: unknown) => void) => Promise<unknown>) {
  let heard: { error: any; result: any } | undefined;
  const answer = (await run((error, result) => {
    heard = { error, result };
  })) as Answer;
  assert.ok(heard, 'mono-node called the callback');
  return { answer, ...heard };
}

for (const kind of databases()) {
  describe(`[${kind}] mono-node 1.0.3 against Relink`, () => {
    let server: TestServer;
    let key: string;
    let otherKey: string;
    let salary: string;
    let gig: string;
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp('Lender')).secretKey;
      otherKey = (await server.createApp('Another partner')).secretKey;
      salary = await link(server, key, 'user_salary');
      gig = await link(server, key, 'user_gig');
      await settle(server);
    });
    after(() => server.stop());

    /** Every stored transaction of the account, newest first, paged through `GET /v2/accounts/{id}/transactions`. */
    async function transactionsV2(id: string): Promise<Tx[]> {
      const all: Tx[] = [];
      for (let page = 1; ; page++) {
        const res = await call(server.url, 'GET', `/v2/accounts/${id}/transactions?limit=500&page=${page}`, { key });
        assert.equal(res.status, 200, res.text);
        all.push(...res.body.data);
        if (res.body.meta.next === null) return all;
      }
    }

    test('getAccountStatement, JSON: the period’s transactions and balances are the account’s own, newest first', async () => {
      const mono = monoFor(server, key);
      const all = await transactionsV2(salary);
      for (const months of [1, 6, 12]) {
        const answer = (await mono.account.getAccountStatement({ accountId: salary, period: `last${months}months`, output: 'json' })) as Answer;
        assert.ok(answer, `last${months}months answered`);
        assert.equal(answer.status, 200);
        const { meta, data } = answer.data as { meta: Record<string, any>; data: Tx[] };
        const start = new Date(server.clock.now());
        start.setUTCMonth(start.getUTCMonth() - months);
        const expected = all.filter((t) => Date.parse(t.date) >= start.getTime() && Date.parse(t.date) <= server.clock.now());
        assert.ok(expected.length > 0, `${months} months hold transactions`);
        assert.deepEqual(data, expected, `last${months}months: the same transactions, amounts and balances`);
        assert.equal(meta.count, expected.length);
        const [newest, oldest] = [expected[0]!, expected.at(-1)!];
        assert.equal(meta.closing_balance, newest.balance);
        assert.equal(meta.opening_balance, oldest.balance + (oldest.type === 'debit' ? oldest.amount : -oldest.amount));
        const sum = (type: string) => expected.filter((t) => t.type === type).reduce((s, t) => s + t.amount, 0);
        assert.equal(meta.opening_balance + sum('credit') - sum('debit'), meta.closing_balance, 'the balances add up');
      }
      // Without a period (mono-node sends `?output=json&`; its types say `period` is required, its code does not): twelve
      // months. A callback gets the body itself.
      const noPeriod = { accountId: salary, output: 'json' } as unknown as { accountId: string; period: string };
      const { answer, error, result } = await withCallback((cb) => mono.account.getAccountStatement(noPeriod, cb));
      assert.equal(error, null);
      assert.deepEqual(result, answer!.data);
      assert.equal(result.meta.period, 'last12months');
    });

    test('getAccountStatement, PDF, then pollPdfAccountStatementStatus until built: the file is the statement', async () => {
      const mono = monoFor(server, key);
      const json = ((await mono.account.getAccountStatement({ accountId: gig, period: 'last3months', output: 'json' })) as Answer)!.data;
      const started = (await mono.account.getAccountStatement({ accountId: gig, period: 'last3months', output: 'pdf' })) as Answer;
      assert.ok(started);
      assert.equal(started.status, 200);
      assert.equal(started.data.status, 'BUILDING');
      assert.match(started.data.id, /^stj_/);
      assert.match(started.data.path, /^http:\/\/127\.0\.0\.1:\d+\/v2\/statements\/[0-9A-Za-z]{43}$/);

      let job: { id: string; status: string; path: string | null } | undefined;
      await waitFor(
        async () => {
          const polled = (await mono.account.pollPdfAccountStatementStatus({ accountId: gig, jobId: started.data.id })) as Answer;
          assert.ok(polled, 'the poll answered');
          job = polled.data;
          return job!.status !== 'BUILDING';
        },
        60_000,
        'the PDF statement to be built',
      );
      // Relink's finished status is BUILT (an issue's "COMPLETE"), with the file's URL in `path`.
      assert.equal(job!.status, 'BUILT');
      assert.equal(job!.id, started.data.id);

      const file = await download(job!.path!);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      assert.equal(new TextDecoder().decode(file.bytes.slice(0, 5)), '%PDF-');
      const lines = (await pdfLines(file.bytes)).flat();
      assert.ok(json.data.length > 0);
      for (const t of json.data as Tx[]) assert.ok(lines.includes(rowOf(t)), `the PDF lists ${t._id}`);
    });

    test('getCustomerCredits and getCustomerDebits: totals, counts and months of the account’s own transactions', async () => {
      const mono = monoFor(server, key);
      for (const id of [salary, gig]) {
        const all = await transactionsV2(id);
        for (const [type, run] of [
          ['credit', () => mono.account.getCustomerCredits({ accountId: id })],
          ['debit', () => mono.account.getCustomerDebits({ accountId: id })],
        ] as const) {
          const answer = (await run()) as Answer;
          assert.ok(answer, `${type}s answered`);
          assert.equal(answer.status, 200);
          const flow = answer.data as { total: number; transactions_count: number; history: { period: string; amount: number; transactions_count: number }[] };
          const own = all.filter((t) => t.type === type);
          assert.equal(
            flow.total,
            own.reduce((s, t) => s + t.amount, 0),
          );
          assert.equal(flow.transactions_count, own.length);
          // Months in West Africa Time (UTC+1), as the flows count them.
          const monthOf = (t: Tx) => new Date(Date.parse(t.date) + 3_600_000).toISOString().slice(0, 7);
          for (const month of flow.history) {
            const inMonth = own.filter((t) => monthOf(t) === month.period);
            assert.deepEqual(
              [month.amount, month.transactions_count],
              [inMonth.reduce((s, t) => s + t.amount, 0), inMonth.length],
              `${type}s of ${month.period}`,
            );
          }
          assert.equal(
            flow.history.reduce((s, m) => s + m.transactions_count, 0),
            own.length,
            'every transaction is in a month',
          );
          const v2 = await call(server.url, 'GET', `/v2/accounts/${id}/${type}s`, { key });
          assert.deepEqual({ ...flow, meta: undefined }, { ...v2.body.data, meta: undefined }, 'v1 and v2 agree');
        }
      }
    });

    test('getIncome: the salaried user’s regular income and employer, the gig worker’s irregular income', async () => {
      const mono = monoFor(server, key);
      const records = async (id: string) => (await call(server.url, 'GET', `/v2/accounts/${id}/income-records`, { key })).body.data[0].income;

      const paid = (await mono.account.getIncome({ accountId: salary })) as Answer;
      assert.ok(paid);
      assert.equal(paid.status, 200);
      const analysis = await records(salary);
      assert.equal(paid.data.type, 'REGULAR');
      assert.match(paid.data.employer, /LTD$/);
      assert.deepEqual(
        [paid.data.employer, paid.data.monthly_income, paid.data.amount, paid.data.confidence],
        [analysis.income_summary.employer, analysis.monthly_income, analysis.aggregated_monthly_average, analysis.confidence],
      );
      assert.ok(paid.data.monthly_income > 0);

      const gigs = (await mono.account.getIncome({ accountId: gig })) as Answer;
      assert.ok(gigs);
      const gigAnalysis = await records(gig);
      assert.deepEqual([gigs.data.type, gigs.data.employer, gigs.data.monthly_income], ['IRREGULAR', '', 0]);
      assert.equal(gigs.data.amount, gigAnalysis.aggregated_monthly_average_irregular);
      assert.ok(gigs.data.amount > 0);
    });

    test("another app's key gets nothing: every call resolves undefined, and the callback gets the failure, ACCOUNT_NOT_FOUND", async () => {
      const mine = monoFor(server, key);
      const job = ((await mine.account.getAccountStatement({ accountId: salary, period: 'last1months', output: 'pdf' })) as Answer)!.data;
      const other = monoFor(server, otherKey);
      const jobsBefore = await server.services.database.db.selectFrom('statement_jobs').select('id').execute();
      const calls: [string, (cb: (error: unknown, result: unknown) => void) => Promise<unknown>][] = [
        ['statement (JSON)', (cb) => other.account.getAccountStatement({ accountId: salary, period: 'last12months', output: 'json' }, cb)],
        ['statement (PDF)', (cb) => other.account.getAccountStatement({ accountId: salary, period: 'last12months', output: 'pdf' }, cb)],
        ['the PDF job', (cb) => other.account.pollPdfAccountStatementStatus({ accountId: salary, jobId: job.id }, cb)],
        ['credits', (cb) => other.account.getCustomerCredits({ accountId: salary }, cb)],
        ['debits', (cb) => other.account.getCustomerDebits({ accountId: salary }, cb)],
        ['income', (cb) => other.account.getIncome({ accountId: gig }, cb)],
      ];
      for (const [what, run] of calls) {
        const { answer, error, result } = await withCallback(run);
        assert.equal(answer, undefined, `${what}: mono-node resolves undefined on a failure`);
        assert.equal(result, null);
        assert.equal(error.status, 'failed', what);
        assert.equal(error.code, 'ACCOUNT_NOT_FOUND', `${what}: ${JSON.stringify(error)}`);
        assert.ok(!JSON.stringify(error).includes('LTD'), `${what}: nothing of the account`);
      }
      assert.deepEqual(await server.services.database.db.selectFrom('statement_jobs').select('id').execute(), jobsBefore, 'no job was made for the other key');
      // Without a callback, the failure is only `undefined`: a partner's code must check for it.
      assert.equal(await other.account.getCustomerCredits({ accountId: salary }), undefined);
    });
  });
}
