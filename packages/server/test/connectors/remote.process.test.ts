// The sandbox bank in a process of its own (`relink sandbox-bank serve`), spoken to over the
// connector protocol across a real loopback hop: Relink with no bank in process links and
// re-authorises through it on both databases, and a bank that is slow, down or drops the
// connection comes to the same answers an in-process bank gives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newMessageId, signedHeaders } from '@relink/connector-kit/protocol';
import {
  call,
  databases,
  exchange,
  link,
  linkedAccount,
  OTP,
  PASSWORD,
  partner,
  reauthSession,
  resetLogin,
  settle,
  startTestServer,
  stepOn,
  type TestServer,
} from '@relink/testkit';
import { assertV2StepFailure, v2Session } from '../support/linking.ts';
import { Served } from '../support/process.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('the sandbox bank as a connector service', () => {
  let dir: string;
  let bank: Served;
  let url: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relink-bank-'));
    bank = new Served(['sandbox-bank', 'serve', '--port', '0', '--host', '127.0.0.1', '--fault-control'], {
      RELINK_CONNECTOR_SECRET: SECRET,
      RELINK_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
    });
    url = (await bank.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
  });
  after(async () => {
    await bank?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function faults(body: { mode?: string; latencyMs?: number }) {
    const text = JSON.stringify(body);
    const res = await fetch(`${url}/v1/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(SECRET, newMessageId(), text) },
      body: text,
    });
    assert.equal(res.status, 200, await res.text());
  }

  const login = (server: TestServer, key: string, session: string, username: string) =>
    call(server.url, 'POST', '/v2/connect/login', { key, body: { username, password: PASSWORD }, headers: { 'x-session-id': session } });

  test('a request not signed with the shared secret is refused, and so is a Relink with another secret, in one line', async () => {
    const res = await fetch(`${url}/v1/manifest`);
    assert.equal(res.status, 401);
    const other = await startTestServer(databases()[0]!, {
      env: { RELINK_CONNECTORS: 'none', RELINK_CONNECTOR_URLS: url, RELINK_CONNECTOR_SECRET: `whsec_${randomBytes(32).toString('base64')}` },
    }).then(
      () => assert.fail('started with the wrong secret'),
      (error: Error) => error.message,
    );
    assert.match(other, new RegExp(`^connector service ${url}: the service refused Relink's signature \\(no signature matches`));
    assert.doesNotMatch(other, /\n/);
  });

  for (const kind of databases()) {
    describe(`[${kind}] Relink with the bank over the network`, () => {
      let server: TestServer;
      let key: string;
      // The bank outlives each suite: every database's suite has its own bank users.
      const user = (name: string) => `${name}+${kind}`;
      before(async () => {
        server = await startTestServer(kind, {
          env: { RELINK_CONNECTORS: 'none', RELINK_CONNECTOR_URLS: url, RELINK_CONNECTOR_SECRET: SECRET, RELINK_CONNECTOR_TIMEOUT_MS: '1500' },
        });
        key = (await server.createApp('Remote bank partner')).secretKey;
      });
      after(async () => {
        await faults({ mode: 'none', latencyMs: 0 });
        await server?.stop();
      });

      test('the institutions are the service’s, and the server knows it is remote', async () => {
        const res = await call(server.url, 'GET', '/v3/institutions', { key });
        assert.deepEqual(
          res.body.data.map((i: { name: string }) => i.name),
          ['Relink Sandbox Bank', 'Relink Sandbox Business Bank'],
        );
        assert.deepEqual(
          server.services.banks.map((b) => [b.name, b.source, b.remote]),
          [['sandbox', url, true]],
        );
      });

      test('link journeys: one account, a choice of three, an OTP, a security question, over v2 and v1; the data syncs', async () => {
        for (const username of ['user_good', 'user_multi', 'user_otp', 'user_question'].map(user)) {
          const id = await link(server, key, username, { customer: { name: 'Ada Obi', email: `${username}.${kind}@example.com` } });
          await settle(server);
          const details = await partner(server, key).accounts.get(id);
          assert.equal(details.meta.data_status, 'AVAILABLE', `${username}: ${JSON.stringify(details.meta)}`);
        }
        await link(server, key, user('user_otp_multi'), { api: 'v1' });
      });

      test('locked and down answer as in process; a wrong OTP is asked again', async () => {
        assertV2StepFailure(await login(server, key, await v2Session(server, key), 'user_locked'), 400, 'BANK_LOGIN_FAILED', /locked/);
        assertV2StepFailure(await login(server, key, await v2Session(server, key), 'user_down'), 400, 'BANK_CONNECTION_ERROR', /unreachable/);
        const session = await v2Session(server, key);
        assert.equal((await login(server, key, session, 'user_otp')).body.responseCode, 102);
        assertV2StepFailure(await stepOn(server, key, '/v2/connect/commit', session, { otp: '99999' }), 400, 'OTP_INVALID', /2 tries left/);
        const done = await stepOn(server, key, '/v2/connect/commit', session, { otp: OTP });
        assert.equal(done.body.responseCode, 99, done.text);
      });

      test('reauth journeys: the bank asks MFA again (reset over the protocol), then the password changes', async () => {
        const id = await linkedAccount(server, key, user('user_otp'));
        await resetLogin(server, key, id);
        const session = (await reauthSession(server, key, id)).body.data.session.id as string;
        const done = await stepOn(server, key, '/v2/connect/commit', session, { otp: OTP });
        assert.equal(done.body.responseCode, 99, done.text);
        assert.equal(await exchange(server, key, done.body.data.code), id);

        const multi = await linkedAccount(server, key, user('user_multi'));
        const { new_password } = await resetLogin(server, key, multi, 'password_changed');
        const again = (await reauthSession(server, key, multi)).body.data.session.id as string;
        const old = await stepOn(server, key, '/v2/connect/reauth/login', again, { username: user('user_multi'), password: PASSWORD });
        assertV2StepFailure(old, 400, 'BANK_LOGIN_FAILED');
        const healed = await stepOn(server, key, '/v2/connect/reauth/login', again, { username: user('user_multi'), password: new_password });
        assert.equal(healed.body.responseCode, 99, healed.text);
        assert.equal(await exchange(server, key, healed.body.data.code), multi);
      });

      test('faults: latency is absorbed; down and reset connections are the bank unavailable; slow is Relink’s timeout; then it recovers', async () => {
        await faults({ latencyMs: 150 });
        const started = Date.now();
        await link(server, key, 'user_good', { customer: { name: 'Slow Link', email: `latency.${kind}@example.com` } });
        assert.ok(Date.now() - started >= 150, 'the login waited for the bank');
        await faults({ mode: 'down', latencyMs: 0 });
        assertV2StepFailure(await login(server, key, await v2Session(server, key), 'user_good'), 400, 'BANK_CONNECTION_ERROR', /answered 503/);
        await faults({ mode: 'reset' });
        assertV2StepFailure(
          await login(server, key, await v2Session(server, key), 'user_good'),
          400,
          'BANK_CONNECTION_ERROR',
          /connector service did not answer \(/,
        );
        await faults({ mode: 'slow' });
        const slow = Date.now();
        assertV2StepFailure(await login(server, key, await v2Session(server, key), 'user_good'), 400, 'BANK_CONNECTION_ERROR', /did not answer within 2 s/);
        assert.ok(Date.now() - slow < 5_000, 'Relink gave up at its timeout');
        await faults({ mode: 'none' });
        await link(server, key, 'user_good', { customer: { name: 'Recovered', email: `recovered.${kind}@example.com` } });
      });
    });
  }
});
