// Attack: reading another app's bank statement — its JSON, its PDF job, or the PDF itself —
// with one's own valid key, a bad key, or by guessing or replaying a file URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, link, settle, startTestServer, type TestServer } from '@relink/testkit';
import { download, pollJob } from '../support/statements.ts';

for (const kind of databases()) {
  describe(`[${kind}] statements belong to their app`, () => {
    let server: TestServer;
    const owner = { key: '', account: '', job: '', path: '' };
    let otherKey: string;
    let otherAccount: string;
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_AUTH_FAILURES_PER_MINUTE: '0' } });
      owner.key = (await server.createApp('Owner')).secretKey;
      otherKey = (await server.createApp('Other')).secretKey;
      owner.account = await link(server, owner.key, 'user_good');
      otherAccount = await link(server, otherKey, 'user_good');
      await settle(server);
      const started = await call(server.url, 'GET', `/v2/accounts/${owner.account}/statement?period=last1months&output=pdf`, { key: owner.key });
      owner.job = started.body.data.id;
      owner.path = (await pollJob(server.url, owner.key, owner.account, owner.job)).path!;
    });
    after(() => server.stop());

    test("another app's key gets 404 on every statement route of the owner's account, and learns nothing", async () => {
      const routes = [
        `/accounts/${owner.account}/statement`,
        `/accounts/${owner.account}/statement?output=pdf`,
        `/v2/accounts/${owner.account}/statement?format=v2`,
        `/v2/accounts/${owner.account}/statement?output=pdf`,
        `/accounts/${owner.account}/statement/jobs/${owner.job}`,
        `/v2/accounts/${owner.account}/statement/jobs/${owner.job}`,
        // Its own account with the owner's job id: the job is looked up within the caller's app and account.
        `/accounts/${otherAccount}/statement/jobs/${owner.job}`,
        `/v2/accounts/${otherAccount}/statement/jobs/${owner.job}`,
      ];
      for (const path of routes) {
        const res = await call(server.url, 'GET', path, { key: otherKey });
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.match(res.body.code, /^(ACCOUNT|STATEMENT_JOB)_NOT_FOUND$/, path);
        assert.ok(!res.text.includes(owner.path.split('/').at(-1)!), `${path} shows no URL of the owner's`);
      }
      const jobs = await server.services.database.db.selectFrom('statement_jobs').select('app_id').execute();
      assert.equal(new Set(jobs.map((j) => j.app_id)).size, 1, 'no job was made for the other app');
    });

    test("the file URL: served without a key (the token is the credential) and with the owner's; 404 with another app's key, 401 with a bad one", async () => {
      assert.equal((await download(owner.path)).status, 200);
      assert.equal((await download(owner.path, { 'mono-sec-key': owner.key })).status, 200);
      const other = await download(owner.path, { 'mono-sec-key': otherKey });
      assert.equal(other.status, 404);
      const body = JSON.parse(new TextDecoder().decode(other.bytes));
      assert.deepEqual([body.status, body.code, body.data], ['failed', 'STATEMENT_NOT_FOUND', null]);
      const bad = await download(owner.path, { 'mono-sec-key': `test_sk_${'0'.repeat(32)}` });
      assert.equal(bad.status, 401);
      assert.equal(JSON.parse(new TextDecoder().decode(bad.bytes)).code, 'INVALID_API_KEY');
    });

    test("a partner page's public key and the account id buy no statement, job, customer, income or realtime data, and no file", async () => {
      const publicKey = (await server.services.apps.list()).find((a) => a.name === 'Owner')!.publicKey;
      const token = owner.path.split('/').at(-1)!;
      const paths = [
        `/v2/accounts/${owner.account}/statement?output=pdf`,
        `/v2/accounts/${owner.account}/statement/jobs/${owner.job}`,
        `/v2/accounts/${owner.account}/credits`,
        `/v2/accounts/${owner.account}/income`,
        `/v2/accounts/${owner.account}/balance`,
        `/v2/accounts?reauth_required=true`,
        `/v2/customers`,
      ];
      for (const path of paths) {
        for (const headers of [{ 'x-public-key': publicKey, 'x-realtime': 'true' }, { 'mono-sec-key': publicKey }] as Record<string, string>[]) {
          const res = await call(server.url, 'GET', path, { headers });
          assert.equal(res.status, 401, `${path} with ${Object.keys(headers)[0]}: ${res.text}`);
          assert.ok(!res.text.includes(token) && !res.text.includes(owner.job), path);
        }
      }
      // The widget's scope, which takes the public key, serves none of them either.
      const widget = await call(server.url, 'GET', `/v2/connect/widget/statement?account=${owner.account}`, { headers: { 'x-public-key': publicKey } });
      assert.equal(widget.status, 404, widget.text);
      // The file URL is the credential; the public key is no key to it, nor a way to guess one.
      const asKey = await download(owner.path.slice(0, -token.length) + 'A'.repeat(43), { 'x-public-key': publicKey });
      assert.equal(asKey.status, 404);
      assert.equal((await download(owner.path, { 'mono-sec-key': publicKey })).status, 401, 'a public key sent as the secret key is refused');
    });

    test('a URL that is not one handed out is not found, whatever its shape', async () => {
      const token = owner.path.split('/').at(-1)!;
      const base = owner.path.slice(0, -token.length);
      const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      for (const guess of [flipped, token.toLowerCase(), 'A'.repeat(43)]) {
        const res = await download(base + guess);
        assert.equal(res.status, guess === token ? 200 : 404, guess);
      }
      for (const malformed of [token.slice(1), `${token}A`, `${token.slice(0, -1)}-`]) {
        assert.equal((await download(base + malformed)).status, 400, malformed);
      }
      // Its hash, were it to leak from the database, is no URL either.
      const [stored] = await server.services.database.db.selectFrom('statement_urls').select('token_hash').where('job_id', '=', owner.job).limit(1).execute();
      assert.equal((await download(base + stored!.token_hash.slice(0, 43))).status, 404);
    });

    test('a job answers only for its own account: the same app asking through another of its accounts gets 404', async () => {
      const second = await link(server, owner.key, 'user_good+second');
      const res = await call(server.url, 'GET', `/accounts/${second}/statement/jobs/${owner.job}`, { key: owner.key });
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 'STATEMENT_JOB_NOT_FOUND');
    });

    test('one app may have 10 PDF statements waiting at once: the 11th is 429 with Retry-After, and another app is not held up', async () => {
      await server.services.statements.worker.stop();
      try {
        for (let i = 0; i < 10; i++) {
          const res = await call(server.url, 'GET', `/accounts/${owner.account}/statement?period=last1months&output=pdf`, { key: owner.key });
          assert.equal(res.status, 200, `job ${i + 1}: ${res.text}`);
        }
        const over = await call(server.url, 'GET', `/v2/accounts/${owner.account}/statement?period=last1months&output=pdf`, { key: owner.key });
        assert.equal(over.status, 429, over.text);
        assert.equal(over.body.code, 'RATE_LIMITED');
        assert.match(over.body.message, /10 PDF statements waiting or being built/);
        assert.equal(over.headers.get('retry-after'), '5');
        assert.equal(
          (await call(server.url, 'GET', `/accounts/${owner.account}/statement?period=last1months`, { key: owner.key })).status,
          200,
          'JSON is not capped',
        );
        const other = await call(server.url, 'GET', `/accounts/${otherAccount}/statement?period=last1months&output=pdf`, { key: otherKey });
        assert.equal(other.status, 200, other.text);
      } finally {
        server.services.statements.worker.start();
      }
      await server.services.statements.worker.wake();
      const building = await server.services.database.db.selectFrom('statement_jobs').select('id').where('status', '=', 'BUILDING').execute();
      assert.deepEqual(building, [], 'all built');
      assert.equal((await call(server.url, 'GET', `/accounts/${owner.account}/statement?output=pdf`, { key: owner.key })).status, 200, 'room again');
    });

    test('an unlinked account has no statements: its built file is no longer served, and a job queued before the unlink fails rather than build', async () => {
      const account = await link(server, owner.key, 'user_good+unlinked');
      await settle(server);
      const built = (await call(server.url, 'GET', `/accounts/${account}/statement?period=last1months&output=pdf`, { key: owner.key })).body;
      const path = (await pollJob(server.url, owner.key, account, built.id)).path!;
      assert.equal((await download(path)).status, 200);
      await server.services.statements.worker.stop();
      let job: string;
      try {
        job = (await call(server.url, 'GET', `/accounts/${account}/statement?output=pdf`, { key: owner.key })).body.id;
        assert.equal((await call(server.url, 'POST', `/accounts/${account}/unlink`, { key: owner.key })).status, 200);
        assert.equal((await call(server.url, 'GET', `/accounts/${account}/statement`, { key: owner.key })).body.code, 'ACCOUNT_NOT_FOUND');
        assert.equal((await call(server.url, 'GET', `/accounts/${account}/statement/jobs/${built.id}`, { key: owner.key })).body.code, 'ACCOUNT_NOT_FOUND');
        const gone = await download(path);
        assert.equal(gone.status, 404, 'the file built before the unlink is not served');
        assert.equal(JSON.parse(new TextDecoder().decode(gone.bytes)).code, 'STATEMENT_NOT_FOUND');
      } finally {
        server.services.statements.worker.start();
      }
      await server.services.statements.worker.wake();
      const row = await server.services.database.db.selectFrom('statement_jobs').selectAll().where('id', '=', job).executeTakeFirstOrThrow();
      assert.deepEqual([row.status, row.error], ['FAILED', 'The account was unlinked']);
      const file = await server.services.database.db.selectFrom('statement_files').select('job_id').where('job_id', '=', job).executeTakeFirst();
      assert.equal(file, undefined);
    });
  });
}
