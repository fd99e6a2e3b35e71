// Statements through the typed client, as a partner's code would read them: the JSON statement
// (v2 and v1), a PDF job polled until BUILT and its file downloaded without the secret key,
// mono-node's v1 calls, and the typed failures of a bad period and of another app's account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, link, partner, settle, startTestServer, type TestServer, waitFor } from '@relink/testkit';
import { type Relink, RelinkError, type StatementJob } from '../src/index.ts';

for (const kind of databases()) {
  describe(`[${kind}] SDK client: statements`, () => {
    let server: TestServer;
    let relink: Relink;
    let other: Relink;
    let id: string;
    before(async () => {
      server = await startTestServer(kind);
      const key = (await server.createApp('SDK statements')).secretKey;
      relink = partner(server, key);
      other = partner(server, (await server.createApp('Another partner')).secretKey);
      id = await link(server, key, 'user_good');
      await settle(server);
    });
    after(() => server.stop());

    test('accounts.statement: the period’s transactions and meta, the same as v1’s statement', async () => {
      const { data, meta } = await relink.accounts.statement(id, { period: 'last1months' });
      assert.ok(data.length > 0);
      assert.equal(meta.count, data.length);
      assert.equal(meta.period, 'last1months');
      assert.equal(meta.closing_balance, data[0]!.balance);
      const v1 = await relink.v1.statement(id, { period: 'last1months' });
      assert.ok('meta' in v1);
      assert.deepEqual(
        v1.data.map((t) => t._id),
        data.map((t) => t.id),
      );
      assert.deepEqual(v1.meta, meta);
    });

    test('accounts.statementPdf → statementJob until BUILT → downloadStatement: a PDF', async () => {
      const started = await relink.accounts.statementPdf(id, { period: 'last1months' });
      assert.equal(started.status, 'BUILDING');
      let job: StatementJob = started;
      await waitFor(async () => (job = await relink.accounts.statementJob(id, started.id)).status === 'BUILT', 60_000, 'the PDF');
      const pdf = await relink.accounts.downloadStatement(job.path!);
      assert.equal(new TextDecoder().decode(pdf.slice(0, 5)), '%PDF-');
      const v1 = await relink.v1.statementJob(id, started.id);
      assert.deepEqual([v1.id, v1.status], [started.id, 'BUILT']);
      const v1Started = await relink.v1.statement(id, { period: 'last2months', output: 'pdf' });
      assert.ok('status' in v1Started && v1Started.status === 'BUILDING');
    });

    test('a bad period is a RelinkError 400 naming it; another app’s account, job or file is a 404', async () => {
      await assert.rejects(
        () => relink.accounts.statement(id, { period: 'last13months' as 'last1months' }),
        (error: unknown) => error instanceof RelinkError && error.status === 400 && /query\.period/.test(error.message),
      );
      const started = await relink.accounts.statementPdf(id, { period: 'last1months' });
      await assert.rejects(
        () => other.accounts.statement(id),
        (error: unknown) => error instanceof RelinkError && error.status === 404,
      );
      await assert.rejects(
        () => other.accounts.statementJob(id, started.id),
        (error: unknown) => error instanceof RelinkError && error.status === 404,
      );
      await assert.rejects(
        () => relink.accounts.downloadStatement(`${server.url}/v2/statements/${'A'.repeat(43)}`),
        (error: unknown) => error instanceof RelinkError && error.status === 404 && error.code === 'STATEMENT_NOT_FOUND',
      );
    });
  });
}
