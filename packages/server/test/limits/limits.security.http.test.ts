// Attacks on volume: guessing keys from one address, creating sessions and steps without end,
// and — the one that hurts a person — trying wrong passwords or OTPs for one bank user across
// many sessions until the user's real bank locks them out. Each limit answers 429
// RATE_LIMITED with Retry-After, and the legitimate caller next to the attacker is unaffected.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { call, databases, startTestServer, type TestServer, CountingBank, OTP, PASSWORD } from '@relink/testkit';
import { v2Session } from '../support/linking.ts';

const DAY_MS = 86_400_000;

/** A request from another loopback address, 127.0.0.2: "another client" without leaving the machine. */
async function from(address: string, base: string, path: string, key?: string) {
  const dispatcher = new Agent({ localAddress: address });
  try {
    const res = await request(base + path, { dispatcher, headers: key === undefined ? {} : { 'mono-sec-key': key } });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any };
  } finally {
    await dispatcher.close();
  }
}

function assertLimited(res: { status: number; body: any; headers: any }, message?: RegExp) {
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.equal(res.body.code, 'RATE_LIMITED');
  const retryAfter = res.headers instanceof Headers ? res.headers.get('retry-after') : res.headers['retry-after'];
  assert.match(String(retryAfter), /^[1-9]\d*$/);
  if (message) assert.match(res.body.message, message);
}

for (const kind of databases()) {
  describe(`[${kind}] request limits`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind, {
        env: { RELINK_AUTH_FAILURES_PER_MINUTE: '5', RELINK_SESSIONS_PER_MINUTE: '3', RELINK_STEPS_PER_MINUTE: '4' },
      });
    });
    after(() => server.stop());

    test('failed authentication: after 5 from one address it is 429, even with a good key; other addresses are unaffected', async () => {
      const { secretKey } = await server.createApp('Victim');
      for (let i = 0; i < 5; i++) assert.equal((await from('127.0.0.2', server.url, '/v3/institutions', `test_sk_guess${i}`)).status, 401);
      assertLimited(await from('127.0.0.2', server.url, '/v3/institutions', 'test_sk_guess'), /invalid secret key from this address/);
      assertLimited(await from('127.0.0.2', server.url, '/v3/institutions'));
      assertLimited(await from('127.0.0.2', server.url, '/v3/institutions', secretKey), /retry in \d+ s/);
      assert.equal((await from('127.0.0.3', server.url, '/v3/institutions', secretKey)).status, 200);
      assert.equal((await from('127.0.0.3', server.url, '/v3/institutions', 'test_sk_wrong')).status, 401);
      assert.equal((await from('127.0.0.2', server.url, '/v1/institutions')).status, 200, 'open routes stay open');
    });

    test('session creation: the 4th in a minute is 429 for that app only', async () => {
      const busy = (await server.createApp('Busy')).secretKey;
      const calm = (await server.createApp('Calm')).secretKey;
      for (let i = 0; i < 3; i++) await v2Session(server, busy);
      const body = { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' };
      assertLimited(await call(server.url, 'POST', '/v2/connect/session', { key: busy, body }), /sessions created by this app/);
      assertLimited(await call(server.url, 'POST', '/v1/connect/session', { key: busy, body }));
      await v2Session(server, calm);
    });

    test('steps: the 5th login or commit in a minute is 429 for that app only', async () => {
      const busy = (await server.createApp('Stepper')).secretKey;
      const calm = (await server.createApp('Other stepper')).secretKey;
      const session = await v2Session(server, busy);
      const otherSession = await v2Session(server, calm);
      const step = (key: string, id: string, which: string, body: unknown) =>
        call(server.url, 'POST', `/v2/connect/${which}`, { key, body, headers: { 'x-session-id': id } });
      for (let i = 0; i < 4; i++) assert.equal((await step(busy, session, 'login', {})).status, 400, 'an invalid step still counts');
      assertLimited(await step(busy, session, 'login', { username: 'user_good', password: PASSWORD }), /steps by this app/);
      assert.equal((await step(calm, otherSession, 'login', { username: 'user_good', password: PASSWORD })).body.responseCode, 99);
    });
  });

  describe(`[${kind}] attempt caps per bank user, durable and shared by instances`, () => {
    let a: TestServer;
    let b: TestServer;
    let bankA: CountingBank;
    let bankB: CountingBank;
    let keyA: string;
    let keyB: string;
    before(async () => {
      bankA = new CountingBank();
      bankB = new CountingBank();
      a = await startTestServer(kind, { connectors: [bankA] });
      b = await startTestServer(kind, { db: a.db, connectors: [bankB] });
      keyA = (await a.createApp('App A')).secretKey;
      keyB = (await b.createApp('App B')).secretKey;
    });
    after(async () => {
      await b.stop();
      await a.stop();
    });

    const login = async (server: TestServer, key: string, username: string, password: string) => {
      const session = await v2Session(server, key);
      const res = await call(server.url, 'POST', '/v2/connect/login', { key, body: { username, password }, headers: { 'x-session-id': session } });
      return { session, res };
    };
    const bankLogins = () => bankA.calls.login + bankB.calls.login;

    test('three failed logins for one bank user, in three sessions on two instances and two apps: the 4th is 429 and never reaches the bank', async () => {
      assert.equal((await login(a, keyA, 'user_multi', 'nope-1')).res.body.code, 'BANK_LOGIN_FAILED');
      assert.equal((await login(b, keyB, 'USER_MULTI ', 'nope-2')).res.body.code, 'BANK_LOGIN_FAILED', 'the same user, however typed');
      assert.equal((await login(a, keyB, 'user_multi', 'nope-3')).res.body.code, 'BANK_LOGIN_FAILED');
      const before = bankLogins();
      const refused = await login(b, keyA, 'user_multi', PASSWORD);
      assertLimited(refused.res, /3 failed logins/);
      assert.ok(Number(refused.res.headers.get('retry-after')) > 3600, 'until the window (a day) is over');
      assert.equal(bankLogins(), before, 'the bank was not asked');

      // Another bank user is unaffected; after the window the user may try again.
      assert.equal((await login(a, keyA, 'user_good', PASSWORD)).res.body.responseCode, 99);
      a.clock.advance(DAY_MS + 1000);
      const later = await login(a, keyA, 'user_multi', PASSWORD);
      assert.equal(later.res.body.responseCode, 101, later.res.text);
    });

    test('a success clears the count: two failures, a good login, then two more failures still reach the bank', async () => {
      for (const password of ['bad-1', 'bad-2', PASSWORD, 'bad-3', 'bad-4']) {
        const { res } = await login(a, keyA, 'user_good', password);
        assert.equal(res.body.responseCode, password === PASSWORD ? 99 : 400, res.text);
        if (password !== PASSWORD) assert.equal(res.body.code, 'BANK_LOGIN_FAILED');
      }
    });

    test('wrong OTPs: five across sessions, then the sixth answer is 429 without a bank call; a right answer before that clears them', async () => {
      const otpSession = async () => {
        const { session, res } = await login(a, keyA, 'user_otp', PASSWORD);
        assert.equal(res.body.responseCode, 102, res.text);
        return session;
      };
      const commit = (session: string, otp: string) =>
        call(a.url, 'POST', '/v2/connect/commit', { key: keyA, body: { otp }, headers: { 'x-session-id': session } });
      const first = await otpSession();
      for (const otp of ['00001', '00002']) assert.equal((await commit(first, otp)).body.code, 'OTP_INVALID');
      assert.equal((await commit(first, OTP)).body.responseCode, 99, 'two wrong, then right: cleared');

      const second = await otpSession();
      for (const otp of ['00003', '00004']) assert.equal((await commit(second, otp)).body.code, 'OTP_INVALID');
      assert.equal((await commit(second, '00005')).body.code, 'OTP_ATTEMPTS_EXCEEDED');
      const third = await otpSession();
      for (const otp of ['00006', '00007']) assert.equal((await commit(third, otp)).body.code, 'OTP_INVALID');
      const answers = bankA.calls.answer;
      assertLimited(await commit(third, OTP), /5 wrong answers/);
      assert.equal(bankA.calls.answer, answers, 'the bank was not asked');
    });

    test('sandbox users with different +tags are different bank users: one capped leaves the other free', async () => {
      for (const password of ['bad-1', 'bad-2', 'bad-3']) assert.equal((await login(a, keyA, 'user_good+capped', password)).res.body.code, 'BANK_LOGIN_FAILED');
      assertLimited((await login(a, keyA, 'user_good+capped', PASSWORD)).res, /3 failed logins/);
      const other = await login(a, keyA, 'user_good+free', PASSWORD);
      assert.equal(other.res.body.responseCode, 99, other.res.text);
    });

    test('concurrent wrong logins for one bank user from six sessions reach the bank at most three times', async () => {
      bankA.delayMs = 50;
      try {
        const before = bankA.calls.login;
        const sessions = await Promise.all(Array.from({ length: 6 }, () => v2Session(a, keyA)));
        const results = await Promise.all(
          sessions.map((session) =>
            call(a.url, 'POST', '/v2/connect/login', {
              key: keyA,
              body: { username: 'user_question', password: 'wrong' },
              headers: { 'x-session-id': session },
            }),
          ),
        );
        assert.equal(bankA.calls.login - before, 3);
        assert.equal(results.filter((r) => r.status === 429).length, 3);
        assert.equal(results.filter((r) => r.body.code === 'BANK_LOGIN_FAILED').length, 3);
      } finally {
        bankA.delayMs = 0;
      }
    });
  });
}
