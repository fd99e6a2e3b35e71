// Fault: `kill -9` of `relink serve` while it builds a PDF statement. The job outlives the
// process: nothing of the killed build is kept, and once the dead builder's hold runs out the
// restarted server builds the job from the start, once, and serves the whole statement.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases, testConfig, waitFor, link } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { servedDatabase } from '../support/process.ts';
import { download, pdfLines } from '../support/statements.ts';

/** Enough transactions that a build takes seconds: a year of a busy account. */
const BULK = 10_000;
const DAY = 86_400_000;

for (const kind of databases()) {
  describe(`[${kind}] kill -9 while a statement is built`, () => {
    // A dead builder's hold on the job runs out after 2 s, so the test need not wait 2 minutes.
    const fixture = servedDatabase(kind, { RELINK_STATEMENT_CLAIM_SECONDS: '2' });

    test('the restarted server finishes the job: built once, on its second attempt, every transaction in it', async () => {
      const first = fixture.serve();
      const { url, key } = await first.sandbox();
      const id = await link({ url }, key, 'user_good');
      await waitFor(async () => (await call(url, 'GET', `/v2/accounts/${id}`, { key })).body.data.meta.data_status === 'AVAILABLE', 15_000, 'the first sync');

      const database = openDatabase(testConfig(fixture.db).database);
      try {
        const { db } = database;
        // A year of a busy account, before the sandbox bank's own last month.
        const now = Date.now();
        const yearAgo = now - 360 * DAY;
        let balance = 50_000_000;
        const rows = Array.from({ length: BULK }, (_, i) => {
          const credit = i % 3 === 0;
          const amount = 1_000 + ((i * 7_919) % 2_500_000);
          balance += credit ? amount : -amount;
          return {
            id: `${id}:bulk_${i}`,
            account_id: id,
            bank_id: `bulk_${i}`,
            type: credit ? ('credit' as const) : ('debit' as const),
            amount,
            narration: credit ? `NIP TRANSFER FROM CUSTOMER ${i}` : `POS PURCHASE SHOP ${i}`,
            date: yearAgo + i * Math.floor((325 * DAY) / BULK),
            balance,
            currency: 'NGN',
            created_at: now,
          };
        });
        for (let i = 0; i < rows.length; i += 500)
          await db
            .insertInto('transactions')
            .values(rows.slice(i, i + 500))
            .execute();

        const job = (await call(url, 'GET', `/accounts/${id}/statement?period=last12months&output=pdf`, { key })).body;
        assert.equal(job.status, 'BUILDING');
        const row = () => db.selectFrom('statement_jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
        await waitFor(async () => (await row()).claimed_until !== null, 10_000, 'the builder to claim the job');
        first.kill();
        await first.exited(10_000);
        const killed = await row();
        assert.deepEqual([killed.status, killed.attempts], ['BUILDING', 1], 'killed mid-build: the job is still to build');
        assert.equal(await db.selectFrom('statement_files').select('job_id').where('job_id', '=', job.id).executeTakeFirst(), undefined, 'no file was kept');

        const second = fixture.serve();
        const again = await second.listening();
        await waitFor(async () => (await row()).status === 'BUILT', 60_000, 'the restarted server to build the statement');
        const built = await row();
        assert.equal(built.attempts, 2, 'built on the second claim, the first having died with its process');
        const files = await db.selectFrom('statement_files').select('job_id').where('job_id', '=', job.id).execute();
        assert.equal(files.length, 1);

        const polled = (await call(again, 'GET', `/v2/accounts/${id}/statement/jobs/${job.id}`, { key })).body.data;
        assert.equal(polled.status, 'BUILT');
        const file = await download(polled.path);
        assert.equal(file.status, 200);
        const statement = (await call(again, 'GET', `/accounts/${id}/statement?period=last12months`, { key })).body;
        const pages = await pdfLines(file.bytes);
        const table = pages.flat().filter((line) => /^\d\d [A-Z][a-z]{2,3} \d{4} /.test(line));
        assert.equal(statement.meta.count, table.length - 2, 'every transaction of the year, with the opening balance and the totals');
        assert.ok(statement.meta.count > BULK);
        assert.ok(pages.at(-1)!.at(-1)!.endsWith(`Page ${pages.length} of ${pages.length}`));
        assert.deepEqual(await second.stop(), { code: 0, signal: null });
      } finally {
        await database.close();
      }
    });
  });
}
