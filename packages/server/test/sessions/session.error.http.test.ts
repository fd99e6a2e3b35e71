import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, type TestServer, BUSINESS, CountingBank, OTP, PASSWORD, SANDBOX, exchange, settle } from '@relink/testkit';
import { assertV1StepFailure, assertV2StepFailure, step, v1Session, v2Session } from '../support/linking.ts';

const TEN_MINUTES = 10 * 60_000;

for (const kind of databases()) {
  describe(`[${kind}] session errors`, () => {
    let server: TestServer;
    let key: string;
    const bank = new CountingBank();
    before(async () => {
      server = await startTestServer(kind, { connectors: [bank] });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    const v1 = (which: 'login' | 'commit', session: string | undefined, body: unknown) => step(server, key, 'v1', which, session, body);
    const v2 = (which: 'login' | 'commit', session: string | undefined, body: unknown) => step(server, key, 'v2', which, session, body);

    test('a session expires after 10 minutes: every step is 400 SESSION_EXPIRED and the bank is not asked', async () => {
      const fresh = await v1Session(server, key);
      const midway = await v2Session(server, key);
      assert.equal((await v2('login', midway, { username: 'user_otp', password: PASSWORD })).body.responseCode, 102);
      const late = await v1Session(server, key);
      server.clock.advance(TEN_MINUTES - 1);
      assert.equal((await v1('login', late, { username: 'user_good', password: PASSWORD })).body.responseCode, 99, 'alive one ms before expiry');
      await settle(server);
      server.clock.advance(1);
      const calls = bank.steps;
      assertV1StepFailure(await v1('login', fresh, { username: 'user_good', password: PASSWORD }), 400, 'SESSION_EXPIRED', /expired.*start a new session/i);
      assertV2StepFailure(await v2('commit', midway, { otp: OTP }), 400, 'SESSION_EXPIRED');
      server.clock.advance(TEN_MINUTES);
      assertV2StepFailure(await v2('commit', midway, { otp: OTP }), 400, 'SESSION_EXPIRED');
      assert.equal(bank.steps, calls);
    });

    test('an unknown session is 404 SESSION_NOT_FOUND', async () => {
      assertV1StepFailure(
        await v1('login', 'session_000000000000000000000000', { username: 'user_good', password: PASSWORD }),
        404,
        'SESSION_NOT_FOUND',
        /session_000000000000000000000000/,
      );
      assertV2StepFailure(await v2('commit', 'session_nope', { otp: OTP }), 404, 'SESSION_NOT_FOUND');
    });

    test('a step without x-session-id is 400 naming the header', async () => {
      assertV1StepFailure(await v1('login', undefined, { username: 'user_good', password: PASSWORD }), 400, 'INVALID_INPUT', /x-session-id/);
      assertV2StepFailure(await v2('commit', undefined, { otp: OTP }), 400, 'INVALID_INPUT', /x-session-id/);
      // Failures of the route schema are failed steps too: same shape, responseCode 400.
      assertV1StepFailure(await v1('login', 'x'.repeat(200), { username: 'user_good', password: PASSWORD }), 400, 'INVALID_INPUT', /headers\.x-session-id/);
      assertV2StepFailure(await v2('login', 'x'.repeat(200), { username: 'user_good', password: PASSWORD }), 400, 'INVALID_INPUT', /headers\.x-session-id/);
      const session = await v1Session(server, key);
      assertV1StepFailure(await v1('login', session, undefined), 400, 'INVALID_INPUT', /body must be object/);
      assertV2StepFailure(await v2('login', session, 'user_good'), 400, 'INVALID_INPUT', /body must be object/);
    });

    test('login fields are checked against the form before the bank is asked', async () => {
      const session = await v2Session(server, key);
      const calls = bank.steps;
      assertV2StepFailure(await v2('login', session, { username: 'user_good' }), 400, 'INVALID_INPUT', /body\.password is required/);
      assertV2StepFailure(
        await v2('login', session, { user: 'user_good', pass: PASSWORD }),
        400,
        'INVALID_INPUT',
        /body\.username is required.*body\.password is required.*body\.user is not a field.*body\.pass is not a field/,
      );
      assertV2StepFailure(
        await v2('login', session, { username: 'user_good', password: { $ne: null } }),
        400,
        'INVALID_INPUT',
        /body\.password must be a string/,
      );
      assertV2StepFailure(await v2('login', session, { username: 'user_good', password: 'x'.repeat(513) }), 400, 'INVALID_INPUT', /at most 512/);
      assertV2StepFailure(await v2('login', session, [] as unknown), 400, 'INVALID_INPUT');
      assert.equal(bank.steps, calls);
      assert.equal((await v2('login', session, { username: 'user_good', password: PASSWORD })).body.responseCode, 99);
    });

    test('wrong field names on commit are 400 INVALID_INPUT naming them, and cost no attempt at the bank', async () => {
      const session = await v1Session(server, key);
      assert.equal((await v1('login', session, { username: 'user_otp', password: PASSWORD })).body.responseCode, 102);
      const answers = bank.calls.answer;
      const wrong = await v1('commit', session, { code: OTP });
      assertV1StepFailure(wrong, 400, 'INVALID_INPUT', /body\.otp is required/);
      assert.match(wrong.body.message, /body\.code is not a field this step asked for/);
      assertV1StepFailure(await v1('commit', session, { otp: OTP, extra: 'x' }), 400, 'INVALID_INPUT', /body\.extra/);
      assertV1StepFailure(await v1('commit', session, {}), 400, 'INVALID_INPUT', /body\.otp is required/);
      assert.equal(bank.calls.answer, answers, 'the bank was not asked');

      // All three attempts are still there.
      assertV1StepFailure(await v1('commit', session, { otp: '00000' }), 400, 'OTP_INVALID', /Invalid OTP; 2 tries left/);
      assertV1StepFailure(await v1('commit', session, { otp: '00000' }), 400, 'OTP_INVALID', /1 try left/);
      const ok = await v1('commit', session, { otp: OTP });
      assert.equal(ok.body.responseCode, 99, ok.text);
      await exchange(server, key, ok.body.data.code);
    });

    test('the third wrong OTP fails the session; then even the right OTP is refused without a bank call', async () => {
      const session = await v2Session(server, key);
      assert.equal((await v2('login', session, { username: 'user_otp', password: PASSWORD })).body.responseCode, 102);
      assertV2StepFailure(await v2('commit', session, { otp: '11111' }), 400, 'OTP_INVALID');
      assertV2StepFailure(await v2('commit', session, { otp: '22222' }), 400, 'OTP_INVALID');
      assertV2StepFailure(await v2('commit', session, { otp: '33333' }), 400, 'OTP_ATTEMPTS_EXCEEDED', /3 wrong answers/);
      const calls = bank.steps;
      assertV2StepFailure(await v2('commit', session, { otp: OTP }), 400, 'OTP_ATTEMPTS_EXCEEDED', /start a new session/);
      assertV2StepFailure(await v2('login', session, { username: 'user_otp', password: PASSWORD }), 400, 'OTP_ATTEMPTS_EXCEEDED');
      assert.equal(bank.steps, calls, 'the bank was not asked again');
      const row = await server.services.database.db.selectFrom('sessions').selectAll().where('id', '=', session).executeTakeFirstOrThrow();
      assert.equal(row.credentials_secret_id, null, 'a failed session keeps no credentials');
      assert.equal(row.connector_state_secret_id, null);
    });

    test('the security question also allows three wrong answers', async () => {
      const session = await v1Session(server, key);
      await v1('login', session, { username: 'user_question', password: PASSWORD });
      assertV1StepFailure(await v1('commit', session, { answer: 'red' }), 400, 'OTP_INVALID', /Incorrect answer; 2 tries left/);
      assertV1StepFailure(await v1('commit', session, { answer: 'green' }), 400, 'OTP_INVALID');
      assertV1StepFailure(await v1('commit', session, { answer: 'pink' }), 400, 'OTP_ATTEMPTS_EXCEEDED');
      assertV1StepFailure(await v1('commit', session, { answer: 'blue' }), 400, 'OTP_ATTEMPTS_EXCEEDED');
    });

    test('steps out of order are 400 and say which endpoint to use', async () => {
      const session = await v1Session(server, key);
      assertV1StepFailure(await v1('commit', session, { username: 'user_otp', password: PASSWORD }), 400, 'INVALID_INPUT', /waiting for login.*login endpoint/);
      await v1('login', session, { username: 'user_otp', password: PASSWORD });
      assertV1StepFailure(await v1('login', session, { username: 'user_otp', password: PASSWORD }), 400, 'INVALID_INPUT', /past login.*commit endpoint/);
    });

    test('a completed session answers a repeated commit (or login) with 409 SESSION_COMPLETED', async () => {
      const session = await v1Session(server, key);
      await v1('login', session, { username: 'user_otp', password: PASSWORD });
      const done = await v1('commit', session, { otp: OTP });
      assert.equal(done.body.responseCode, 99);
      await settle(server);
      const calls = bank.steps;
      assertV1StepFailure(await v1('commit', session, { otp: OTP }), 409, 'SESSION_COMPLETED', /already completed/);
      assertV2StepFailure(await v2('commit', session, { otp: OTP }), 409, 'SESSION_COMPLETED');
      assertV2StepFailure(await v2('login', session, { username: 'user_good', password: PASSWORD }), 409, 'SESSION_COMPLETED');
      assert.equal(bank.steps, calls);
      const codes = await server.services.database.db.selectFrom('codes').select('hash').where('session_id', '=', session).execute();
      assert.equal(codes.length, 1, 'one code per session');
    });

    test('an unknown institution is 404; an auth_method the institution lacks is 400 naming the offered ones', async () => {
      for (const path of ['/v1/connect/session', '/v2/connect/session']) {
        const unknown = await call(server.url, 'POST', path, { key, body: { institution: '000000000000000000000000', auth_method: 'internet_banking' } });
        assert.equal(unknown.status, 404, unknown.text);
        assert.equal(unknown.body.code, 'INSTITUTION_NOT_FOUND');
        assert.match(unknown.body.message, /000000000000000000000000/);
        const bad = await call(server.url, 'POST', path, { key, body: { institution: SANDBOX, auth_method: 'carrier_pigeon' } });
        assert.equal(bad.status, 400, bad.text);
        assert.equal(bad.body.code, 'INVALID_INPUT');
        assert.match(bad.body.message, /carrier_pigeon.*internet_banking, mobile_banking/);
        const lacks = await call(server.url, 'POST', path, { key, body: { institution: BUSINESS, auth_method: 'mobile_banking' } });
        assert.equal(lacks.status, 400, lacks.text);
        assert.match(lacks.body.message, /use one of: internet_banking$/);
      }
      const v2Body = await call(server.url, 'POST', '/v2/connect/session', {
        key,
        body: { institution: SANDBOX, auth_method: 'internet_banking', scope: 'payments', customer: { name: 'x' } },
      });
      assert.equal(v2Body.status, 400);
      assert.equal(v2Body.body.code, 'INVALID_INPUT');
      assert.match(v2Body.body.message, /scope/);
      const missing = await call(server.url, 'POST', '/v1/connect/session', { key, body: {} });
      assert.equal(missing.status, 400);
      assert.match(missing.body.message, /institution/);
      assert.match(missing.body.message, /auth_method/);
    });

    test('GET /v2/connect/sandbox lists the credentials and inputs for a test key, and is 403 for a live key', async () => {
      const res = await call(server.url, 'GET', '/v2/connect/sandbox', { key });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'successful');
      const usernames = res.body.data.credentials.map((c: any) => c.values.username);
      for (const name of ['user_good', 'user_multi', 'user_otp', 'user_question', 'user_otp_multi', 'user_locked', 'user_down', 'user_slow']) {
        assert.ok(usernames.includes(name), name);
      }
      for (const c of res.body.data.credentials) {
        assert.deepEqual(Object.keys(c).sort(), ['description', 'hasMultipleAccounts', 'values']);
        assert.equal(c.values.password, PASSWORD);
      }
      assert.equal(res.body.data.credentials.find((c: any) => c.values.username === 'user_multi').hasMultipleAccounts, true);
      assert.deepEqual(
        res.body.data.inputs.map((i: any) => [i.name, i.value]),
        [
          ['otp', OTP],
          ['answer', 'blue'],
        ],
      );
      const live = await server.createApp('live partner', { live: true });
      const forbidden = await call(server.url, 'GET', '/v2/connect/sandbox', { key: live.secretKey });
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.code, 'FORBIDDEN');
      assert.equal(forbidden.body.data, null);
    });
  });

  describe(`[${kind}] session lifetime is configurable`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_SESSION_TTL_SECONDS: '60' } });
    });
    after(() => server.stop());

    test('RELINK_SESSION_TTL_SECONDS=60: expiresAt is a minute away and the session dies then', async () => {
      const key = (await server.createApp()).secretKey;
      const created = await call(server.url, 'POST', '/v1/connect/session', { key, body: { institution: SANDBOX, auth_method: 'internet_banking' } });
      assert.equal(created.body.expiresAt, server.clock.now() + 60_000);
      server.clock.advance(60_000);
      assertV1StepFailure(await step(server, key, 'v1', 'login', created.body.id, { username: 'user_good', password: PASSWORD }), 400, 'SESSION_EXPIRED');
    });
  });
}
