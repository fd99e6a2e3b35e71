// Mono's real-time data (`x-realtime: true`, or `x-real-time`): a data route asks the bank now,
// through the account's stored login, and answers what the bank said with the job's headers; a
// bank that refuses the stored login puts the account into re-authorisation exactly as a sync
// does; and one account reaches the bank at most once per interval, however it is called.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  databases,
  type HttpResult,
  linkedAccount,
  OBJECT_ID,
  OTP,
  type ReauthServer,
  type Receiver,
  reauthSession,
  resetLogin,
  setEndpoint,
  startReauthServer,
  startReceiver,
  stepOn,
  exchange,
  settle,
  waitFor,
} from '@relink/testkit';
import type { BankConnector } from '../../src/connectors/types.ts';
import { balanceAt } from '../../src/connectors/sandbox/data.ts';
import { eventsOf, ISO } from '../support/linking.ts';

const HOUR = 3_600_000;
const INTERVAL = 5 * 60_000;
/** The sandbox bank's session lasts 15 minutes: after it, a bank call must log in again. */
const SESSION_GONE = 16 * 60_000;

for (const kind of databases()) {
  describe(`[${kind}] realtime data`, () => {
    let server: ReauthServer;
    let key: string;
    let appId: string;
    before(async () => {
      server = await startReauthServer(kind);
      ({ secretKey: key, id: appId } = await server.createApp('Realtime'));
    });
    after(() => server.stop());

    /** Time passes, and the syncs it makes due (another test's retry) run now, not amid a count of bank calls. */
    const advance = async (ms: number) => {
      server.clock.advance(ms);
      await settle(server);
    };
    const bankCalls = () => Object.values(server.bank.calls).reduce((a, b) => a + b, 0);
    const get = (path: string, headers: Record<string, string> = {}, as = key) => call(server.url, 'GET', path, { key: as, headers });
    const live = (path: string, spelling = 'x-realtime') => get(path, { [spelling]: 'true' });
    const jobOf = (res: HttpResult) => ({
      id: res.headers.get('x-job-id'),
      status: res.headers.get('x-job-status'),
      newData: res.headers.get('x-has-new-data'),
      reauth: res.headers.get('x-reauth-required'),
    });

    test('x-realtime on balance asks the bank now and answers what it said, with the job’s headers, webhook and poll', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_balance');
      const stored = await get(`/v2/accounts/${id}/balance`);
      await advance(12 * HOUR);
      const calls = bankCalls();
      assert.deepEqual((await get(`/v2/accounts/${id}/balance`)).body.data, stored.body.data, 'without the header: the last sync');
      assert.equal(bankCalls(), calls, 'and no bank call');

      const res = await live(`/v2/accounts/${id}/balance`);
      assert.equal(res.status, 200, res.text);
      assert.ok(bankCalls() > calls, 'the bank was asked');
      const job = jobOf(res);
      assert.match(job.id!, OBJECT_ID);
      assert.deepEqual({ ...job, id: undefined }, { id: undefined, status: 'finished', newData: 'true', reauth: 'false' });
      const now = server.clock.now();
      assert.equal(res.body.data.balance, balanceAt(res.body.data.account_number, now), 'the balance the bank has now');
      assert.notEqual(res.body.data.balance, stored.body.data.balance);
      assert.deepEqual(res.body.meta, { reauth_required: false, last_synced_at: new Date(now).toISOString() });
      assert.equal((await get(`/v2/accounts/${id}/balance`)).body.data.balance, res.body.data.balance, 'and it is stored');

      const [update, ...more] = await eventsOf(server, id, 'mono.accounts.jobs.update');
      assert.equal(more.length, 0);
      assert.deepEqual(update!.parsed.data, { account: id, app: appId, id: job.id, name: 'jobs.accounts.sync_balance', status: 'finished' });
      const updated = (await eventsOf(server, id, 'mono.events.account_updated')).at(-1)!.parsed.data;
      assert.equal(updated.meta.sync_status, 'SUCCESSFUL');
      assert.equal(updated.meta.job_id, job.id);
      assert.equal(updated.meta.has_new_data, true);

      const poll = await get(`/v2/accounts/${id}/jobs/${job.id}`);
      assert.equal(poll.status, 200, poll.text);
      assert.equal(poll.body.message, 'Job execution completed');
      assert.deepEqual(
        { ...poll.body.data, created_at: undefined, finished_at: undefined },
        {
          id: job.id,
          status: 'finished',
          name: 'jobs.accounts.sync_balance',
          account: id,
          app: appId,
          has_new_data: true,
          reauth_required: false,
          error: null,
          created_at: undefined,
          finished_at: undefined,
        },
      );
      assert.match(poll.body.data.created_at, ISO);
      assert.match(poll.body.data.finished_at, ISO);
    });

    test('x-real-time (Mono’s API reference spelling) on v2 transactions brings the bank’s new transactions; v1 transactions and details too', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_transactions');
      await advance(12 * HOUR);
      const before = (await get(`/v2/accounts/${id}/transactions`)).body.meta.total;
      const calls = bankCalls();
      const res = await live(`/v2/accounts/${id}/transactions`, 'x-real-time');
      assert.equal(res.status, 200, res.text);
      assert.ok(bankCalls() > calls);
      assert.ok(res.body.meta.total > before, `total ${before} -> ${res.body.meta.total}`);
      assert.equal(res.body.meta.reauth_required, false);
      assert.equal(jobOf(res).status, 'finished');
      const [update] = await eventsOf(server, id, 'mono.accounts.jobs.update');
      assert.equal(update!.parsed.data.name, 'jobs.accounts.sync_statement');

      for (const path of [`/accounts/${id}/transactions`, `/accounts/${id}`, `/v2/accounts/${id}`]) {
        await advance(INTERVAL + 1000);
        const before = bankCalls();
        const v = await live(path);
        assert.equal(v.status, 200, `${path}: ${v.text}`);
        assert.ok(bankCalls() > before, `${path} asked the bank`);
        assert.equal(jobOf(v).status, 'finished', path);
      }
    });

    test('one bank call per account per interval: concurrent and repeated calls take the same job, answered as it ended', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_bound');
      await advance(HOUR);
      server.bank.delayMs = 100;
      const calls = bankCalls();
      const paths = [`/v2/accounts/${id}/balance`, `/v2/accounts/${id}/transactions`, `/accounts/${id}/transactions`, `/v2/accounts/${id}`, `/accounts/${id}`];
      const answers = await Promise.all([...paths, ...paths].map((path) => live(path)));
      server.bank.delayMs = 0;
      const oneSync = bankCalls() - calls;
      assert.equal(oneSync, 3, 'one sync: a fetch with the stored bank session (expired after an hour), a login, a fetch');
      const jobs = new Set(answers.map((res) => jobOf(res).id));
      assert.equal(jobs.size, 1, 'one job for every call');
      for (const res of answers) {
        assert.equal(res.status, 200, res.text);
        assert.equal(jobOf(res).status, 'finished');
      }
      assert.equal((await eventsOf(server, id, 'mono.accounts.jobs.update')).length, 1);

      await advance(INTERVAL - 1000);
      const repeat = await live(`/v2/accounts/${id}/balance`);
      assert.equal(bankCalls() - calls, oneSync, 'inside the interval: the bank is not asked again');
      assert.deepEqual(jobOf(repeat), jobOf(answers[0]!), 'and the call answers the last job’s headers unchanged');
      assert.equal(repeat.body.data.balance, answers[0]!.body.data.balance);

      await advance(2000);
      const next = await live(`/v2/accounts/${id}/balance`);
      assert.equal(next.status, 200, next.text);
      assert.ok(bankCalls() - calls > oneSync, 'after the interval the bank is asked again');
      assert.notEqual(jobOf(next).id, jobOf(repeat).id);
    });

    test('without x-realtime, or with false, no bank call and no job headers; any other value is a 400 naming the header', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_off');
      await advance(HOUR);
      const calls = bankCalls();
      for (const headers of [{}, { 'x-realtime': 'false' }, { 'x-real-time': 'FALSE' }] as Record<string, string>[]) {
        const res = await get(`/v2/accounts/${id}/balance`, headers);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('x-job-id'), null);
        assert.equal(res.headers.get('x-job-status'), null);
      }
      assert.equal(bankCalls(), calls);
      const bad = await get(`/v2/accounts/${id}/transactions`, { 'x-realtime': 'yes' });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.code, 'INVALID_INPUT');
      assert.match(bad.body.message, /headers\.x-realtime must be one of "true", "false"/);
      const badDate = await live(`/v2/accounts/${id}/transactions?start=yesterday`);
      assert.equal(badDate.status, 400, badDate.text);
      assert.equal(bankCalls(), calls, 'a refused request never reaches the bank');
    });

    test('the bank does not answer: 503 BANK_UNAVAILABLE with Retry-After and x-job-status failed; the interval holds; stored data stays served', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_down');
      const stored = (await get(`/v2/accounts/${id}/balance`)).body.data;
      await advance(SESSION_GONE);
      const sandbox = server.bank.delegate;
      server.bank.delegate = down(sandbox);
      try {
        const calls = bankCalls();
        const res = await live(`/v2/accounts/${id}/balance`);
        assert.equal(res.status, 503, res.text);
        assert.equal(res.body.code, 'BANK_UNAVAILABLE');
        assert.match(res.body.message, /^No fresh data from the bank: Connection error: Relink Sandbox Bank is unreachable\. .*ask again in 300 s$/);
        assert.equal(res.headers.get('retry-after'), String(INTERVAL / 1000));
        const job = jobOf(res);
        assert.deepEqual({ status: job.status, reauth: job.reauth }, { status: 'failed', reauth: 'false' });
        assert.equal(bankCalls() - calls, 1, 'one login that did not answer');
        await advance(60_000);
        const again = await live(`/v2/accounts/${id}/balance`);
        assert.equal(again.status, 503);
        assert.equal(jobOf(again).id, job.id);
        assert.equal(again.headers.get('retry-after'), String(INTERVAL / 1000 - 60));
        assert.equal(bankCalls() - calls, 1, 'the failed job holds the interval too');
        const kept = await get(`/v2/accounts/${id}/balance`);
        assert.deepEqual(kept.body.data, stored);
        assert.equal(kept.body.meta.reauth_required, false);
        const poll = await get(`/v2/accounts/${id}/jobs/${job.id}`);
        assert.equal(poll.body.data.status, 'failed');
        assert.match(poll.body.data.error, /unreachable/);
      } finally {
        server.bank.delegate = sandbox;
      }
    });

    test('another app’s key: the account and its jobs are 404, and the bank is not asked', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_isolation');
      const other = (await server.createApp('Another partner')).secretKey;
      const otherId = await linkedAccount(server, other, 'user_good+rt_isolation_other');
      await advance(HOUR);
      const mine = await live(`/v2/accounts/${id}/balance`);
      const job = jobOf(mine).id!;
      await advance(INTERVAL + 1000);
      const calls = bankCalls();
      for (const path of [
        `/v2/accounts/${id}/balance`,
        `/v2/accounts/${id}/transactions`,
        `/accounts/${id}/transactions`,
        `/v2/accounts/${id}`,
        `/accounts/${id}`,
      ]) {
        const res = await get(path, { 'x-realtime': 'true' }, other);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND');
        assert.equal(res.headers.get('x-job-id'), null);
      }
      assert.equal(bankCalls(), calls);
      const theirs = await get(`/v2/accounts/${id}/jobs/${job}`, {}, other);
      assert.equal(theirs.status, 404);
      assert.equal(theirs.body.code, 'ACCOUNT_NOT_FOUND');
      const wrongAccount = await get(`/v2/accounts/${otherId}/jobs/${job}`, {}, other);
      assert.equal(wrongAccount.status, 404);
      assert.equal(wrongAccount.body.code, 'JOB_NOT_FOUND');
      const unknown = await get(`/v2/accounts/${id}/jobs/0123456789abcdef01234567`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'JOB_NOT_FOUND');
    });

    describe('re-authorisation', () => {
      let receiver: Receiver;
      let hooked: string;
      before(async () => {
        receiver = await startReceiver();
        hooked = (await server.createApp('Realtime webhooks')).secretKey;
        await setEndpoint(server, hooked, receiver.url);
      });
      after(() => receiver.close());
      const heard = (id: string, event: string) =>
        receiver.received.map((r) => JSON.parse(r.body)).filter((e) => e.event === event && (e.data.account?._id ?? e.data.account) === id);

      test('the bank refuses the stored login during realtime calls: REAUTHORISATION_REQUIRED to both of two at once, reauthorisation_required once', async () => {
        const id = await linkedAccount(server, hooked, 'user_otp+rt_reauth');
        await advance(SESSION_GONE);
        const logins = server.bank.calls.login;
        server.bank.delayMs = 100;
        const both = await Promise.all([
          call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key: hooked, headers: { 'x-realtime': 'true' } }),
          call(server.url, 'GET', `/accounts/${id}/transactions`, { key: hooked, headers: { 'x-real-time': 'true' } }),
        ]);
        server.bank.delayMs = 0;
        assert.equal(server.bank.calls.login - logins, 1, 'one login with the stored credentials, answered with an OTP challenge');
        for (const res of both) {
          assert.equal(res.status, 400, res.text);
          assert.equal(res.body.status, 'failed');
          assert.equal(res.body.code, 'REAUTHORISATION_REQUIRED');
          assert.match(res.body.message, /needs re-authorisation/);
          assert.deepEqual({ status: jobOf(res).status, reauth: jobOf(res).reauth }, { status: 'failed', reauth: 'true' });
        }
        assert.equal(jobOf(both[0]!).id, jobOf(both[1]!).id);
        assert.deepEqual(Object.keys(both[1]!.body).sort(), ['code', 'message', 'status'], 'the v1 failure shape');

        const details = (await call(server.url, 'GET', `/v2/accounts/${id}`, { key: hooked })).body.data.meta;
        assert.equal(details.reauth_required, true);
        assert.match(details.last_sync_error, /multi-factor/);
        await waitFor(() => heard(id, 'mono.accounts.jobs.update').length === 1, 10_000, 'the job’s webhook');
        await waitFor(() => heard(id, 'mono.events.reauthorisation_required').length === 1, 10_000, 'reauthorisation_required');
        assert.deepEqual(heard(id, 'mono.accounts.jobs.update')[0].data.status, 'failed');
        const updated = heard(id, 'mono.events.account_updated').find((e) => e.data.meta.job_id === jobOf(both[0]!).id);
        assert.equal(updated?.data.meta.sync_status, 'REAUTHORISATION_REQUIRED');

        const logins2 = server.bank.calls.login;
        const again = await call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key: hooked, headers: { 'x-realtime': 'true' } });
        assert.equal(again.status, 400);
        assert.equal(again.body.code, 'REAUTHORISATION_REQUIRED');
        assert.equal(again.headers.get('x-reauth-required'), 'true');
        assert.equal(server.bank.calls.login, logins2, 'an account waiting for reauth answers at once');
        assert.equal((await eventsOf(server, id, 'mono.events.reauthorisation_required')).length, 1);

        // Once re-authorised, a realtime call reaches the bank at once: the job that found the reauth does not hold the interval.
        const started = await reauthSession(server, hooked, id);
        const done = await stepOn(server, hooked, '/v2/connect/commit', started.body.data.session.id, { otp: OTP });
        assert.equal(done.body.responseCode, 99, done.text);
        assert.equal(await exchange(server, hooked, done.body.data.code), id);
        const healed = await call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key: hooked, headers: { 'x-realtime': 'true' } });
        assert.equal(healed.status, 200, healed.text);
        assert.equal(jobOf(healed).status, 'finished');
        assert.notEqual(jobOf(healed).id, jobOf(both[0]!).id);
        assert.equal(healed.body.meta.reauth_required, false);
        assert.equal(heard(id, 'mono.events.reauthorisation_required').length, 1);
      });

      test('after the sandbox reset-login: realtime calls answer REAUTHORISATION_REQUIRED at once, the bank is not asked, reauthorisation_required came once', async () => {
        const id = await linkedAccount(server, hooked, 'user_good+rt_reset');
        await resetLogin(server, hooked, id, 'password_changed');
        const calls = bankCalls();
        const answers = await Promise.all(
          [`/v2/accounts/${id}/balance`, `/v2/accounts/${id}/transactions`, `/accounts/${id}`].map((path) =>
            call(server.url, 'GET', path, { key: hooked, headers: { 'x-realtime': 'true' } }),
          ),
        );
        for (const res of answers) {
          assert.equal(res.status, 400, res.text);
          assert.equal(res.body.code, 'REAUTHORISATION_REQUIRED');
          assert.equal(res.headers.get('x-job-status'), 'failed');
          assert.equal(res.headers.get('x-reauth-required'), 'true');
          assert.equal(res.headers.get('x-job-id'), null, 'no job was started');
        }
        assert.equal(bankCalls(), calls);
        await waitFor(() => heard(id, 'mono.events.reauthorisation_required').length === 1, 10_000, 'reauthorisation_required');
        assert.equal((await eventsOf(server, id, 'mono.events.reauthorisation_required')).length, 1);
        assert.equal((await eventsOf(server, id, 'mono.accounts.jobs.update')).length, 0);
        const stored = await call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key: hooked });
        assert.equal(stored.status, 200);
        assert.equal(stored.body.meta.reauth_required, true);
      });
    });
  });

  describe(`[${kind}] realtime data: a slow bank`, () => {
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind, { env: { RELINK_REALTIME_WAIT_SECONDS: '1' } });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    test('past RELINK_REALTIME_WAIT_SECONDS the call answers the stored data as processing; the job finishes behind it', async () => {
      const id = await linkedAccount(server, key, 'user_good+rt_slow');
      const stored = await call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key });
      server.clock.advance(12 * HOUR);
      server.bank.delayMs = 1500;
      try {
        const started = Date.now();
        const res = await call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key, headers: { 'x-realtime': 'true' } });
        assert.ok(Date.now() - started < 1400, `answered after ${Date.now() - started} ms`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('x-job-status'), 'processing');
        assert.deepEqual(res.body.data, stored.body.data, 'the stored balance');
        assert.equal(res.body.meta.last_synced_at, stored.body.meta.last_synced_at, 'which says how old it is');
        const job = res.headers.get('x-job-id')!;
        const poll = await call(server.url, 'GET', `/v2/accounts/${id}/jobs/${job}`, { key });
        assert.equal(poll.body.data.status, 'processing');
        assert.equal(poll.body.message, 'Job is still processing');
        await waitFor(
          async () => (await call(server.url, 'GET', `/v2/accounts/${id}/jobs/${job}`, { key })).body.data.status === 'finished',
          10_000,
          'the job',
        );
        const fresh = await call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key, headers: { 'x-realtime': 'true' } });
        assert.equal(fresh.headers.get('x-job-id'), job, 'inside the interval: the same job, now finished');
        assert.equal(fresh.headers.get('x-job-status'), 'finished');
        assert.notEqual(fresh.body.data.balance, stored.body.data.balance);
      } finally {
        server.bank.delayMs = 0;
      }
    });
  });

  describe(`[${kind}] realtime data on two instances`, () => {
    let first: ReauthServer;
    let second: ReauthServer;
    let key: string;
    before(async () => {
      first = await startReauthServer(kind);
      second = await startReauthServer(kind, { db: first.db });
      key = (await first.createApp()).secretKey;
    });
    after(async () => {
      await second.stop();
      await first.stop();
    });

    test('calls on both instances at once reach the bank once: the bound is in the database', async () => {
      const id = await linkedAccount(first, key, 'user_good+rt_instances');
      for (const server of [first, second]) {
        server.clock.advance(HOUR);
        server.bank.delayMs = 100;
      }
      const calls = () => [first, second].reduce((n, s) => n + Object.values(s.bank.calls).reduce((a, b) => a + b, 0), 0);
      const before = calls();
      const answers = await Promise.all(
        [first, second, first, second].map((server) => call(server.url, 'GET', `/v2/accounts/${id}/balance`, { key, headers: { 'x-realtime': 'true' } })),
      );
      for (const server of [first, second]) server.bank.delayMs = 0;
      for (const res of answers) {
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('x-job-status'), 'finished');
      }
      assert.equal(new Set(answers.map((res) => res.headers.get('x-job-id'))).size, 1);
      assert.equal(calls() - before, 3, 'one sync: a fetch with the expired bank session, a login, a fetch');
    });
  });
}

/** The bank down: every call answers `unavailable`, as a bank that does not answer does. */
function down(bank: BankConnector): BankConnector {
  const unavailable = { kind: 'unavailable' as const, message: 'Connection error: Relink Sandbox Bank is unreachable' };
  return {
    name: bank.name,
    login: async () => unavailable,
    answer: async () => unavailable,
    selectAccount: async () => unavailable,
    fetchData: async () => unavailable,
  };
}
