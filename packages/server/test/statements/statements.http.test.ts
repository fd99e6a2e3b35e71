// Account statements through the Partners API, as mono-node and v2 clients call them: the JSON
// statement (v1 bare, v2 in the envelope, v2 with format=v2) against the account's stored
// transactions, and the PDF: a job polled until BUILT, its file downloaded and read back with a
// PDF parser, every transaction, balance and total in it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, settle, startTestServer, type TestServer } from '@relink/testkit';
import { ISO } from '../support/linking.ts';
import { download, lagosDay, naira, pdfLines, pollJob, rowOf } from '../support/statements.ts';

const DAY = 86_400_000;
const JOB_ID = /^stj_[0-9A-Za-z]{24}$/;
const FILE_URL = /^http:\/\/127\.0\.0\.1:\d+\/v2\/statements\/[0-9A-Za-z]{43}$/;

for (const kind of databases()) {
  describe(`[${kind}] account statements`, () => {
    let server: TestServer;
    let key: string;
    let id: string;
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp()).secretKey;
      id = await link(server, key, 'user_good');
      await settle(server);
    });
    after(() => server.stop());

    const get = (path: string) => call(server.url, 'GET', path, { key });
    /** Every stored transaction of the account, newest first, through the transactions route. */
    const stored = async () => {
      const res = await get(`/accounts/${id}/transactions?paginate=false`);
      assert.equal(res.status, 200, res.text);
      return res.body.data as { _id: string; type: 'debit' | 'credit'; amount: number; narration: string; date: string; balance: number; currency: string }[];
    };

    test('v1 JSON: the period’s transactions from the stored ones, newest first, with its balances and totals', async () => {
      const all = await stored();
      const now = server.clock.now();
      for (const months of [1, 3, 12]) {
        const res = await get(`/accounts/${id}/statement?period=last${months}months&output=json`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(Object.keys(res.body).sort(), ['data', 'meta']);
        const start = new Date(now);
        start.setUTCMonth(start.getUTCMonth() - months);
        const expected = all.filter((t) => Date.parse(t.date) >= start.getTime() && Date.parse(t.date) <= now);
        assert.ok(expected.length > 0, `${months} months hold transactions`);
        assert.deepEqual(res.body.data, expected, `last${months}months`);
        const meta = res.body.meta;
        assert.equal(meta.count, expected.length);
        assert.equal(meta.period, `last${months}months`);
        assert.equal(meta.start, start.toISOString());
        assert.equal(meta.end, new Date(now).toISOString());
        const sum = (type: string) => expected.filter((t) => t.type === type).reduce((s, t) => s + t.amount, 0);
        assert.equal(meta.total_credit, sum('credit'));
        assert.equal(meta.total_debit, sum('debit'));
        const [newest, oldest] = [expected[0]!, expected.at(-1)!];
        assert.equal(meta.closing_balance, newest.balance);
        assert.equal(meta.opening_balance, oldest.balance - (oldest.type === 'credit' ? oldest.amount : -oldest.amount));
      }
      // The sandbox bank's last month is one unbroken run of transactions: its balances add up.
      const month = (await get(`/accounts/${id}/statement?period=last1months`)).body.meta;
      assert.equal(month.opening_balance + month.total_credit - month.total_debit, month.closing_balance);
    });

    test('without period or output: 12 months of JSON; the v1 and v2 shapes hold the same transactions', async () => {
      const v1 = await get(`/accounts/${id}/statement`);
      assert.equal(v1.status, 200, v1.text);
      assert.equal(v1.body.meta.period, 'last12months');
      const twelve = await get(`/accounts/${id}/statement?period=last12months`);
      assert.deepEqual(twelve.body.data, v1.body.data);

      const v2 = await get(`/v2/accounts/${id}/statement?period=last12months`);
      assert.equal(v2.status, 200, v2.text);
      assert.equal(v2.body.status, 'successful');
      assert.match(v2.body.timestamp, ISO);
      assert.deepEqual(v2.body.meta, v1.body.meta);
      assert.deepEqual(
        v2.body.data,
        v1.body.data.map(({ _id, ...t }: { _id: string }) => ({ id: _id, ...t })),
      );
      for (const t of v2.body.data) assert.deepEqual(Object.keys(t).sort(), ['amount', 'balance', 'currency', 'date', 'id', 'narration', 'type']);

      const object = await get(`/v2/accounts/${id}/statement?period=last12months&output=json&format=v2`);
      assert.equal(object.status, 200, object.text);
      const { statement, count, requested_length, available_length, ...summary } = object.body.data;
      assert.deepEqual(statement, v2.body.data);
      assert.equal(count, v2.body.data.length);
      assert.equal(requested_length, 12);
      // The sandbox bank's history begins in October 2025, so the stored transactions reach back over the whole year.
      assert.equal(available_length, 12);
      const { count: _count, ...metaSummary } = v1.body.meta;
      assert.deepEqual(summary, metaSummary);
      assert.equal(object.body.meta, undefined);
    });

    test('a period without transactions opens and closes at the balance before it, with no rows', async () => {
      // Two months ahead, the last month holds no transaction the server has stored (no sync runs meanwhile).
      await server.services.sync.stop();
      server.clock.advance(62 * DAY);
      try {
        const res = await get(`/accounts/${id}/statement?period=last1months`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.data, []);
        const newest = (await stored())[0]!;
        assert.deepEqual(
          { count: res.body.meta.count, opening: res.body.meta.opening_balance, closing: res.body.meta.closing_balance },
          { count: 0, opening: newest.balance, closing: newest.balance },
        );
        const v2 = await get(`/v2/accounts/${id}/statement?period=last1months&format=v2`);
        // The stored history reaches back past the period: the whole month is available, and empty.
        assert.deepEqual([v2.body.data.count, v2.body.data.available_length, v2.body.data.statement], [0, 1, []]);
      } finally {
        server.clock.advance(-62 * DAY);
        server.services.sync.start();
      }
    });

    test('a bad period, output or format is a 400 naming the field and what it takes, in each envelope', async () => {
      for (const [query, words] of [
        ['period=last13months', /query\.period must be one of "last1months", .*"last12months"/],
        ['period=last0months', /query\.period must be one of/],
        ['period=1', /query\.period must be one of/],
        ['period=LAST1MONTHS', /query\.period must be one of/],
        ['output=csv', /query\.output must be one of "json", "pdf"/],
        ['output=', /query\.output must be one of/],
      ] as const) {
        const v1 = await get(`/accounts/${id}/statement?${query}`);
        assert.equal(v1.status, 400, `${query}: ${v1.text}`);
        assert.deepEqual([v1.body.status, v1.body.code], ['failed', 'INVALID_INPUT']);
        assert.match(v1.body.message, words);
        const v2 = await get(`/v2/accounts/${id}/statement?${query}`);
        assert.equal(v2.status, 400, v2.text);
        assert.deepEqual([v2.body.status, v2.body.data, v2.body.code], ['failed', null, 'INVALID_INPUT']);
        assert.match(v2.body.message, words);
      }
      const format = await get(`/v2/accounts/${id}/statement?format=v3`);
      assert.equal(format.status, 400);
      assert.match(format.body.message, /query\.format must be one of "v2"/);
      const job = await get(`/accounts/${id}/statement/jobs/not-a-job`);
      assert.equal(job.status, 400, job.text);
      assert.match(job.body.message, /params\.jobId/);
      assert.equal((await get(`/accounts/${id}/statement/jobs/stj_unknown`)).body.code, 'STATEMENT_JOB_NOT_FOUND');
      assert.equal((await get(`/accounts/${'0'.repeat(24)}/statement`)).body.code, 'ACCOUNT_NOT_FOUND');
    });

    test('PDF: a job that is BUILDING, polled until BUILT; its file is the statement, every transaction with its balance, the totals and page numbers', async () => {
      const account = (await get(`/v2/accounts/${id}`)).body.data.account;
      const json = (await get(`/accounts/${id}/statement?period=last12months`)).body;
      const started = await get(`/accounts/${id}/statement?period=last12months&output=pdf`);
      assert.equal(started.status, 200, started.text);
      assert.deepEqual(Object.keys(started.body).sort(), ['expires_at', 'id', 'path', 'status']);
      assert.match(started.body.id, JOB_ID);
      assert.equal(started.body.status, 'BUILDING');
      assert.match(started.body.path, FILE_URL);
      assert.equal(Date.parse(started.body.expires_at), server.clock.now() + 3_600_000);

      const built = await pollJob(server.url, key, id, started.body.id);
      assert.equal(built.status, 'BUILT');
      assert.match(built.path!, FILE_URL);
      assert.notEqual(built.path, started.body.path, 'each answer mints its own URL');
      const file = await download(built.path!);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      assert.equal(file.headers.get('cache-control'), 'no-store');
      assert.equal(file.headers.get('referrer-policy'), 'no-referrer');
      assert.match(file.headers.get('content-disposition')!, new RegExp(`^attachment; filename="statement-${id}-${started.body.id}\\.pdf"$`));
      assert.equal(new TextDecoder().decode(file.bytes.slice(0, 5)), '%PDF-');
      // The URL minted while it was building serves the same file now.
      assert.deepEqual((await download(started.body.path)).bytes, file.bytes);

      const pages = await pdfLines(file.bytes);
      const lines = pages.flat();
      const first = pages[0]!.join('\n');
      for (const text of ['Relink Sandbox Bank', 'STATEMENT OF ACCOUNT', account.name, account.account_number, started.body.id])
        assert.ok(first.includes(text), `page 1 shows ${text}`);
      const meta = json.meta;
      assert.ok(first.includes(`${lagosDay(meta.start)} – ${lagosDay(meta.end)}`), 'page 1 shows the period');
      assert.ok(
        first.includes(`${naira(meta.opening_balance)} ${naira(meta.total_credit)} ${naira(meta.total_debit)} ${naira(meta.closing_balance)}`),
        'page 1 shows the opening balance, the totals and the closing balance',
      );
      assert.ok(first.includes(`${meta.count} transactions`));
      pages.forEach((page, n) => assert.ok(page.at(-1)!.endsWith(`Page ${n + 1} of ${pages.length}`), `page ${n + 1} is numbered: ${page.at(-1)}`));

      // The table: the opening balance, every transaction oldest first with the balance after it, then the totals.
      const table = lines.filter((line) => /^\d\d [A-Z][a-z]{2,3} \d{4} /.test(line));
      const oldestFirst = [...json.data].reverse();
      assert.deepEqual(table, [
        `${lagosDay(meta.start)} Opening balance ${naira(meta.opening_balance)}`,
        ...oldestFirst.map(rowOf),
        `${lagosDay(meta.end)} Totals and closing balance ${naira(meta.total_debit)} ${naira(meta.total_credit)} ${naira(meta.closing_balance)}`,
      ]);

      // v2 polls the same job, in the envelope.
      const v2 = await get(`/v2/accounts/${id}/statement/jobs/${started.body.id}`);
      assert.equal(v2.status, 200, v2.text);
      assert.equal(v2.body.status, 'successful');
      assert.deepEqual({ ...v2.body.data, path: undefined }, { id: started.body.id, status: 'BUILT', path: undefined, expires_at: started.body.expires_at });
      assert.match(v2.body.data.path, FILE_URL);
    });

    test('v2 starts a job in the envelope; a URL is served only once the job is built', async () => {
      await server.services.statements.worker.stop();
      let jobId: string;
      try {
        const started = await get(`/v2/accounts/${id}/statement?period=last1months&output=pdf`);
        assert.equal(started.status, 200, started.text);
        assert.equal(started.body.status, 'successful');
        assert.equal(started.body.data.status, 'BUILDING');
        jobId = started.body.data.id;
        const early = await download(started.body.data.path);
        assert.equal(early.status, 404);
        assert.equal(JSON.parse(new TextDecoder().decode(early.bytes)).code, 'STATEMENT_NOT_FOUND');
        assert.equal((await get(`/v2/accounts/${id}/statement/jobs/${jobId}`)).body.data.status, 'BUILDING');
      } finally {
        server.services.statements.worker.start();
      }
      const built = await pollJob(server.url, key, id, jobId);
      assert.equal((await download(built.path!)).status, 200);
    });

    test('a job whose third builder died with it is FAILED, without a path, rather than BUILDING until it expires', async () => {
      await server.services.statements.worker.stop();
      let jobId: string;
      try {
        jobId = (await get(`/accounts/${id}/statement?period=last1months&output=pdf`)).body.id;
        // As three builders that each claimed the job and died leave it: held by none, three attempts.
        await server.services.database.db
          .updateTable('statement_jobs')
          .set({ attempts: 3, claimed_until: server.clock.now() - 1, claim_token: 'clm_dead' })
          .where('id', '=', jobId)
          .execute();
        // Workers look for such jobs every 30 s.
        server.clock.advance(30_000);
      } finally {
        server.services.statements.worker.start();
      }
      const failed = await pollJob(server.url, key, id, jobId);
      assert.deepEqual([failed.status, failed.path], ['FAILED', null]);
      const v2 = await get(`/v2/accounts/${id}/statement/jobs/${jobId}`);
      assert.deepEqual([v2.body.message, v2.body.data.status], ['The statement could not be built', 'FAILED']);
    });

    test('the job, its file and its URLs are gone once its lifetime is over', async () => {
      const started = (await get(`/accounts/${id}/statement?period=last1months&output=pdf`)).body;
      const built = await pollJob(server.url, key, id, started.id);
      assert.equal((await download(built.path!)).status, 200);
      const { db } = server.services.database;
      const count = async (table: 'statement_jobs' | 'statement_files') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const urls = async () =>
        Number(
          (
            await db
              .selectFrom('statement_urls')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('job_id', '=', started.id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      assert.ok((await urls()) >= 2);
      const [jobs, files] = [await count('statement_jobs'), await count('statement_files')];

      server.clock.advance(3_600_000);
      try {
        // Expired: not served even before the sweep has run.
        assert.equal((await download(built.path!)).status, 404);
        assert.equal((await get(`/accounts/${id}/statement/jobs/${started.id}`)).body.code, 'STATEMENT_JOB_NOT_FOUND');
        assert.ok((await server.services.statements.sweep()) >= 1);
        assert.equal(await urls(), 0);
        assert.ok((await count('statement_jobs')) < jobs);
        assert.ok((await count('statement_files')) < files);
      } finally {
        server.clock.advance(-3_600_000);
      }
    });

    test('no URL token reaches the logs, and a token stored is only its hash', async () => {
      const started = (await get(`/accounts/${id}/statement?period=last1months&output=pdf`)).body;
      const built = await pollJob(server.url, key, id, started.id);
      await download(built.path!);
      const tokens = [started.path, built.path].map((url: string) => url.split('/').at(-1)!);
      const logs = server.logs.join('\n');
      assert.ok(logs.includes('/v2/statements/[redacted]'), 'downloads are logged, redacted');
      const stored = await server.services.database.db.selectFrom('statement_urls').select('token_hash').execute();
      for (const token of tokens) {
        assert.ok(!logs.includes(token), 'the token is not logged');
        assert.ok(!stored.some((row) => row.token_hash === token), 'the token is not stored as it is');
      }
    });
  });
}
