import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, startTestServer, type TestServer, CountingBank, exchange } from '@relink/testkit';
import { SandboxBank } from '../../src/connectors/sandbox/index.ts';
import { assertV1StepFailure, assertV2StepFailure, step, v1Session, v2Session } from '../support/linking.ts';

// A bank that hangs must not hang the partner: RELINK_CONNECTOR_TIMEOUT_MS bounds every bank
// call, the partner gets a clear connection error quickly, and the session stays usable.
for (const kind of databases()) {
  describe(`[${kind}] a bank that does not answer in time`, () => {
    let server: TestServer;
    let key: string;
    const slow = new SandboxBank({ slowDelayMs: 3_000 });
    const fast = new SandboxBank({ slowDelayMs: 10 });
    const bank = new CountingBank(slow);
    before(async () => {
      server = await startTestServer(kind, { env: { RELINK_CONNECTOR_TIMEOUT_MS: '200' }, connectors: [bank] });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    test('v1: user_slow times out as a 400 connection error within a second, and the session can be retried', async () => {
      bank.delegate = slow;
      const session = await v1Session(server, key);
      const started = performance.now();
      const res = await step(server, key, 'v1', 'login', session, { username: 'user_slow', password: 'pass_good' });
      const took = performance.now() - started;
      assertV1StepFailure(res, 400, 'BANK_CONNECTION_ERROR', /connection error/i);
      assert.match(res.body.message, /did not answer within 200 ms/);
      assert.ok(took < 1_500, `answered after ${Math.round(took)} ms`);

      // Not busy, not failed: a second try reaches the bank again.
      const logins = bank.calls.login;
      const again = await step(server, key, 'v1', 'login', session, { username: 'user_slow', password: 'pass_good' });
      assertV1StepFailure(again, 400, 'BANK_CONNECTION_ERROR');
      assert.equal(bank.calls.login, logins + 1);

      bank.delegate = fast;
      const ok = await step(server, key, 'v1', 'login', session, { username: 'user_slow', password: 'pass_good' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.responseCode, 99);
      await exchange(server, key, ok.body.data.code);
    });

    test('v2: the same, in the v2 failure envelope', async () => {
      bank.delegate = slow;
      const session = await v2Session(server, key);
      const res = await step(server, key, 'v2', 'login', session, { username: 'user_slow', password: 'pass_good' });
      assertV2StepFailure(res, 400, 'BANK_CONNECTION_ERROR', /connection error/i);
      bank.delegate = fast;
      const ok = await step(server, key, 'v2', 'login', session, { username: 'user_slow', password: 'pass_good' });
      assert.equal(ok.body.responseCode, 99, ok.text);
    });
  });
}
