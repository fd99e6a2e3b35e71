// Two server instances on one database build each PDF statement once between them (each job is
// claimed by one guarded update), and either instance serves a file the other built: the file
// lives in the database both share, not in one instance's data directory.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, settle, startTestServer, type TestServer, waitFor } from '@relink/testkit';
import { download, pdfLines } from '../support/statements.ts';

const JOBS = 6;

for (const kind of databases()) {
  describe(`[${kind}] two instances, one database: each statement built once`, () => {
    let first: TestServer;
    let second: TestServer;
    let key: string;
    let id: string;
    before(async () => {
      first = await startTestServer(kind);
      second = await startTestServer(kind, { db: first.db });
      second.clock.set(first.clock.now());
      key = (await first.createApp()).secretKey;
      id = await link(first, key, 'user_good');
      await settle(first);
    });
    after(async () => {
      await second.stop();
      await first.stop();
    });

    test(`${JOBS} jobs queued while both builders stopped, then both started: every job built by exactly one, on its first attempt`, async () => {
      const workers = [first, second].map((s) => s.services.statements.worker);
      await Promise.all(workers.map((w) => w.stop()));
      const jobs: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        const res = await call((i % 2 === 0 ? first : second).url, 'GET', `/v2/accounts/${id}/statement?period=last${1 + (i % 3)}months&output=pdf`, { key });
        assert.equal(res.status, 200, res.text);
        jobs.push(res.body.data.id);
      }
      const before = workers.map((w) => w.built);
      for (const worker of workers) worker.start();

      const { db } = first.services.database;
      const rows = () => db.selectFrom('statement_jobs').select(['id', 'status', 'attempts']).where('id', 'in', jobs).execute();
      await waitFor(async () => (await rows()).every((row) => row.status === 'BUILT'), 120_000, `${JOBS} statements`);
      for (const row of await rows()) assert.equal(row.attempts, 1, `${row.id} was claimed once`);
      const files = await db.selectFrom('statement_files').select('job_id').where('job_id', 'in', jobs).execute();
      assert.equal(files.length, JOBS, 'one file per job');
      const built = workers.map((w, i) => w.built - before[i]!);
      assert.equal(built[0]! + built[1]!, JOBS, `builds kept: ${built.join(' + ')}`);
      const logged = [first, second].flatMap((s) => s.logs).filter((line) => line.includes('"msg":"statement built"'));
      for (const job of jobs) assert.equal(logged.filter((line) => line.includes(job)).length, 1, `${job} was built once`);
    });

    test('a statement is served by either instance, whichever built it', async () => {
      const started = await call(first.url, 'GET', `/accounts/${id}/statement?period=last1months&output=pdf`, { key });
      await waitFor(
        async () => (await call(second.url, 'GET', `/accounts/${id}/statement/jobs/${started.body.id}`, { key })).body.status === 'BUILT',
        60_000,
        'the statement',
      );
      for (const server of [first, second]) {
        const job = await call(server.url, 'GET', `/accounts/${id}/statement/jobs/${started.body.id}`, { key });
        assert.ok(job.body.path.startsWith(server.url), 'each instance hands out its own address');
        const file = await download(job.body.path);
        assert.equal(file.status, 200);
        assert.ok((await pdfLines(file.bytes))[0]!.includes('STATEMENT OF ACCOUNT'));
      }
    });
  });
}
