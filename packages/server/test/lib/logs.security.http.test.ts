// Attack and misdirection through the logs: anyone could fill the error log with false
// "dependency unavailable" alarms by hanging up mid-body; error codes an operator needs
// (ECONNRESET, SQLITE_BUSY) were hidden as "[redacted]"; secrets must never reach a log line.
// Whoever reads the logs (a log collector, a support engineer) must not learn a key, a
// password, an OTP, a code, a reauth token or who the customer is: the request line once
// carried the whole query string, `reauth_token` and the customer's name and email with it.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  call,
  databases,
  startTestServer,
  type TestServer,
  exchange,
  OTP,
  PASSWORD,
  settle,
  resetLogin,
  type Receiver,
  setEndpoint,
  startReceiver,
  waitFor,
} from '@relink/testkit';
import { createLogger } from '../../src/lib/logger.ts';
import { step, v2Session } from '../support/linking.ts';

test('an error keeps its code in the log; a one-time code or password elsewhere is still redacted', () => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  logger.error({ err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }, 'x');
  logger.error({ error: Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }) }, 'x');
  logger.info(
    { body: { code: 'code_abcdefghijklmnopqrstuvwx', password: 'hunter2' }, otp: { code: '12345' }, err: { code: 'code_abcdefghijklmnopqrstuvwx' } },
    'x',
  );
  assert.equal(JSON.parse(lines[0]!).err.code, 'ECONNRESET');
  assert.equal(JSON.parse(lines[1]!).error.code, 'SQLITE_BUSY');
  assert.doesNotMatch(lines[2]!, /code_abc|hunter2|12345/);
});

test('personal fields in a logged object are redacted, an error name is not', () => {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  logger.debug(
    {
      email: 'a@b.example',
      phone: '08031234567',
      bvn: '22212345678',
      data: { email: 'c@d.example', bvn: '22298765432', phone: '0701' },
      err: { name: 'TypeError' },
    },
    'x',
  );
  assert.doesNotMatch(lines[0]!, /@b\.example|@d\.example|0803|2221|2229|0701/);
  assert.equal(JSON.parse(lines[0]!).err.name, 'TypeError');
});

test("a database error's detail, which can quote a row's values, is redacted; its message stays", () => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
    code: '23505',
    detail: 'Key (email)=(ada@example.com) already exists.',
  });
  logger.error({ err: error }, 'unhandled error');
  assert.doesNotMatch(lines[0]!, /ada@example\.com/);
  assert.equal(JSON.parse(lines[0]!).err.message, 'duplicate key value violates unique constraint');
});

for (const kind of databases()) {
  describe(`[${kind}] what the server logs`, () => {
    let server: TestServer;
    let key: string;
    before(async () => {
      // Debug: a request is logged as it arrives, which is how the test knows it is in flight.
      server = await startTestServer(kind, { logLevel: 'debug' });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    test('a client that hangs up mid-body is an info line, not an error or an outage', async () => {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(
        `POST /v2/connect/session HTTP/1.1\r\nHost: x\r\nmono-sec-key: ${key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"a":`,
      );
      // Generous waits: on a loaded machine (the whole suite, PostgreSQL) the server may take seconds to get to it.
      await waitFor(() => server.logs.some((l) => l.includes('"url":"/v2/connect/session"')), 15_000, 'the request to start');
      socket.destroy();
      await waitFor(() => server.logs.some((l) => l.includes('client closed the connection')), 15_000, 'the hang-up to be logged');
      const line = JSON.parse(server.logs.find((l) => l.includes('client closed the connection'))!);
      assert.equal(line.level, 30);
      assert.equal(line.errCode, 'ECONNRESET');
      assert.deepEqual(
        server.logs.filter((l) => JSON.parse(l).level >= 50),
        [],
      );
      assert.ok(!server.logs.some((l) => l.includes(key)), 'the secret key is never logged');
    });

    test('a query string is logged by allow-list: paging and filters kept, anything else redacted, a secret key as `key` too', async () => {
      const query = `page=2&limit=5&status=failed&event_id=evt_1&code=code_abc&email=a%40b.example&page2=x&pass_good&zq%40x=1&key=${key}`;
      const res = await call(server.url, 'GET', `/v2/webhooks/deliveries?${query}`, { key });
      assert.equal(res.status, 200, res.text);
      const line = server.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.reqId === res.headers.get('x-request-id'));
      assert.equal(
        line?.url,
        '/v2/webhooks/deliveries?page=2&limit=5&status=failed&event_id=evt_1&code=[redacted]&email=[redacted]&page2=[redacted]&[redacted]&[redacted]&key=[redacted]',
      );
    });

    test("a hosted link's id, which opens its page, is not logged", async () => {
      const res = await call(server.url, 'GET', '/connect/link/link_Vd9Au1zusmgrfKNau4T1TGo6?x=1');
      const lines = server.logs.map((l) => JSON.parse(l)).filter((l) => l.reqId === res.headers.get('x-request-id'));
      assert.deepEqual(
        lines.map((l) => l.url),
        ['/connect/link/[redacted]?x=[redacted]', '/connect/link/[redacted]?x=[redacted]'],
        'the debug line and the request line',
      );
      assert.ok(!server.logs.some((l) => l.includes('link_Vd9Au1')));
    });
  });
}

for (const kind of databases()) {
  describe(`[${kind}] a whole link and two re-authorisations at LOG_LEVEL=debug`, () => {
    let server: TestServer;
    let receiver: Receiver;
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'debug' });
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    test('no log line holds a key, secret, password, OTP, code, token, or the customer’s name, email, phone, BVN or account number', async () => {
      const app = await server.services.apps.create({ name: 'Logged' });
      const key = app.secretKey;
      const webhookSecret = await setEndpoint(server, key, receiver.url);
      const customer = { name: 'Zainab Quill-Okafor', email: 'zainab.quill@example.org' };
      const used: Record<string, string> = { secretKey: key, firstWebhookSecret: app.webhookSecret, webhookSecret, password: PASSWORD, otp: OTP, ...customer };

      // Link: v2 session with a customer, login, the OTP, the account choice, the code exchange.
      const session = await v2Session(server, key, customer);
      let reply = await step(server, key, 'v2', 'login', session, { username: 'user_otp', password: PASSWORD });
      for (let i = 0; i < 5 && reply.body.responseCode !== 99; i++) {
        assert.equal(reply.status, 200, reply.text);
        const chosen = reply.body.responseCode === 101 ? reply.body.data.accounts[0].accountNumber : undefined;
        if (chosen) used.chosenAccountNumber = chosen;
        reply = await step(server, key, 'v2', 'commit', session, chosen ? { accountNumber: chosen } : { otp: OTP });
      }
      assert.equal(reply.body.responseCode, 99, reply.text);
      used.linkCode = reply.body.data.code;
      const account = await exchange(server, key, used.linkCode!, '/v2/accounts/auth');
      await settle(server);
      const identity = (await call(server.url, 'GET', `/v2/accounts/${account}/identity`, { key })).body.data;
      Object.assign(used, { identityName: identity.full_name, identityEmail: identity.email, phone: identity.phone, bvn: identity.bvn });
      used.accountNumber = (await call(server.url, 'GET', `/v2/accounts/${account}`, { key })).body.data.account.account_number;
      const listed = await call(server.url, 'GET', `/v2/accounts/${account}/transactions?page=1&limit=5&narration=${encodeURIComponent(customer.name)}`, {
        key,
      });
      assert.equal(listed.status, 200, listed.text);

      // Re-authorisation, v2: the bank wants an OTP; the reauth session, the commit, the code.
      await resetLogin(server, key, account, 'mfa_required');
      const started = await call(server.url, 'POST', '/v2/connect/reauth/session', { key, body: { account } });
      assert.equal(started.body.data?.responseCode, 102, started.text);
      const committed = await call(server.url, 'POST', started.body.data.next, {
        key,
        body: { otp: OTP },
        headers: { 'x-session-id': started.body.data.session.id },
      });
      assert.equal(committed.body.responseCode, 99, committed.text);
      used.reauthCode = committed.body.data.code;
      assert.equal(await exchange(server, key, used.reauthCode!), account);
      // The sync a reauth starts runs to its end, so the next reset finds the account at rest.
      await settle(server);

      // Re-authorisation, v1: a reauth token, the widget page opened with it and the customer in
      // its query as connect.js sends them, then the token's session and its OTP.
      await resetLogin(server, key, account, 'mfa_required');
      used.reauthToken = (await call(server.url, 'POST', `/accounts/${account}/reauthorise`, { key })).body.token;
      used.reference = 'order-zq-4471';
      const query = new URLSearchParams({ key: app.publicKey, reauth_token: used.reauthToken!, reference: used.reference, data: JSON.stringify({ customer }) });
      const page = await call(server.url, 'GET', `/connect?${query}`);
      assert.equal(page.status, 200, page.text.slice(0, 300));
      const v1 = await call(server.url, 'POST', '/v1/connect/session', { key, body: { reauth_token: used.reauthToken } });
      assert.equal(v1.body.reauth?.response_code, 102, v1.text);
      const v1Done = await call(server.url, 'POST', '/v1/connect/commit', { key, body: { otp: OTP }, headers: { 'x-session-id': v1.body.id } });
      assert.equal(v1Done.body.responseCode, 99, v1Done.text);
      used.v1Code = v1Done.body.data.code;
      assert.equal(await exchange(server, key, used.v1Code!), account);
      await server.services.webhooks.dispatcher.runDue();
      assert.ok(receiver.received.length > 0, 'webhooks were delivered, signed with the secret');

      for (const [what, value] of Object.entries(used)) assert.ok(typeof value === 'string' && value.length >= 5, `${what} was used (${value})`);
      const lines = server.logs;
      assert.ok(
        lines.some((l) => JSON.parse(l).msg === 'incoming request'),
        'the debug lines were written',
      );
      const widgetLine = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && String(l.url).startsWith('/connect?'));
      assert.ok(widgetLine, 'the widget page request was logged');
      assert.match(widgetLine.url, /reauth_token=\[redacted\]/);
      assert.match(widgetLine.url, new RegExp(`key=${app.publicKey}`), 'a public key is kept: it is public, and says which app');
      const leaks: string[] = [];
      for (const [what, value] of Object.entries(used)) {
        // Whole values only, so the OTP 12345 is not found inside a timestamp or a request id.
        const pattern = new RegExp(`(?<![0-9A-Za-z])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`);
        for (const line of lines) if (pattern.test(line) || pattern.test(percentDecoded(line))) leaks.push(`${what}: ${line.slice(0, 300)}`);
      }
      assert.deepEqual(leaks, []);
    });
  });
}

/** A line as a query string would read decoded (`+` a space, `%40` an @), so an encoded value is found too. */
function percentDecoded(line: string): string {
  return line.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
