// Attack: server-side request forgery. A partner (or whoever controls a partner's DNS) points a
// live webhook at 127.0.0.1, a private network or the cloud metadata service, directly or through
// a name that resolves there only at delivery time, to make Relink call into its own network.
// A test app (anyone with a test key) could do the same to this machine's own services on a
// server that is not local development, and read 4 KiB of each reply back through the
// deliveries API; now loopback needs a loopback server (or the operator's word), and a reply
// is kept to its first 256 bytes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, startTestServer, TEST_MASTER_KEY, type TestServer, type Receiver, startReceiver } from '@relink/testkit';
import { classifyAddress } from '../../src/webhooks/addresses.ts';
import { EgressGuard } from '../../src/webhooks/egress.ts';
import { send } from '../../src/webhooks/sender.ts';
import { loadConfig } from '../../src/config/config.ts';
import { attemptsOf, deliveriesOf } from '../support/webhooks.ts';

test('addresses are classified, including IPv6 forms that carry an IPv4 address', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'private'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    // IPv4-translated (RFC 6145, ::ffff:0:0:0/96): 127.0.0.1 behind a different prefix.
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::7f00:1', 'loopback'],
    ['2001:db8::1', 'reserved'],
    ['0177.0.0.1', 'reserved'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['not-an-ip', 'reserved'],
  ];
  for (const [address, kind] of cases) assert.equal(classifyAddress(address), kind, address);
});

test('endpoint URLs are checked up front: https, no credentials, no internal literals in live mode', () => {
  const guard = new EgressGuard({ allowLoopback: true });
  const refusedLive = [
    'http://example.com/hooks',
    'https://127.0.0.1/hooks',
    'https://10.0.0.1/hooks',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/hooks',
    'https://[::ffff:127.0.0.1]/hooks',
    'https://0x7f000001/hooks',
    'https://localhost/hooks',
    'https://api.localhost/hooks',
    'https://user:pass@example.com/hooks',
    'not a url',
  ];
  for (const url of refusedLive) assert.ok(guard.checkUrl(url, 'live'), `${url} is refused for live`);
  assert.equal(guard.checkUrl('https://hooks.example.com/relink', 'live'), undefined);
  assert.equal(guard.checkUrl('http://127.0.0.1:3000/hooks', 'test'), undefined);
  assert.equal(guard.checkUrl('http://localhost:3000/hooks', 'test'), undefined);
  assert.ok(guard.checkUrl('http://169.254.169.254/latest/meta-data', 'test'), 'metadata is refused even in test mode');
  assert.ok(guard.checkUrl('ftp://example.com/', 'test'));

  const remote = new EgressGuard({ allowLoopback: false });
  for (const url of [
    'http://127.0.0.1:3000/hooks',
    'http://[::1]/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://localhost:3000/hooks',
    'http://api.localhost/hooks',
  ]) {
    assert.match(remote.checkUrl(url, 'test') ?? '', /RELINK_WEBHOOK_ALLOW_LOOPBACK/, `${url} is refused for a test app when loopback is not allowed`);
  }
  assert.equal(remote.checkUrl('http://10.0.0.1/hooks', 'test'), undefined, 'private networks stay open to test apps');
  assert.equal(remote.checkUrl('https://hooks.example.com/relink', 'test'), undefined);
});

test('loopback for test apps: on when HOST is a loopback address, off otherwise, RELINK_WEBHOOK_ALLOW_LOOPBACK decides when set', () => {
  const allowed = (env: Record<string, string>) => loadConfig({ RELINK_MASTER_KEY: TEST_MASTER_KEY, ...env }).webhook.allowLoopback;
  for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.equal(allowed({ HOST: host }), true, host);
  assert.equal(allowed({}), true, 'the default HOST is 127.0.0.1');
  for (const host of ['0.0.0.0', '::', '10.0.0.5', 'relink.internal']) assert.equal(allowed({ HOST: host }), false, host);
  assert.equal(allowed({ HOST: '0.0.0.0', RELINK_WEBHOOK_ALLOW_LOOPBACK: 'on' }), true);
  assert.equal(allowed({ HOST: '127.0.0.1', RELINK_WEBHOOK_ALLOW_LOOPBACK: 'off' }), false);
  assert.throws(() => allowed({ RELINK_WEBHOOK_ALLOW_LOOPBACK: 'maybe' }), /RELINK_WEBHOOK_ALLOW_LOOPBACK must be on or off/);
});

describe('the guard checks the address actually connected to, after DNS', () => {
  let receiver: Receiver;
  const names: Record<string, string[]> = { 'rebind.test': ['127.0.0.1'], 'mixed.test': ['93.184.216.34', '10.1.2.3'] };
  const resolve = async (host: string) => (names[host] ?? []).map((address) => ({ address, family: 4 }));
  const guard = new EgressGuard({ resolve, allowLoopback: true });
  const remote = new EgressGuard({ resolve, allowLoopback: false });
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await guard.close();
    await remote.close();
    await receiver.close();
  });
  const post = (url: string, mode: 'test' | 'live', through = guard) =>
    send(through.agent(mode), { url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2_000 }, new AbortController().signal);
  const port = () => new URL(receiver.url).port;

  test('a name that resolves to loopback is refused for live apps, and nothing is sent', async () => {
    for (const url of [`http://rebind.test:${port()}/hooks`, `https://rebind.test:${port()}/hooks`, `https://mixed.test:${port()}/`]) {
      const result = await post(url, 'live');
      assert.equal(result.statusCode, null);
      assert.match(result.error!, /^refused by egress rules: .* is a (loopback|private) address/, url);
    }
    assert.equal(receiver.received.length, 0);
  });

  test('literal addresses are checked in the connector too', async () => {
    for (const url of [`http://127.0.0.1:${port()}/`, `http://[::ffff:127.0.0.1]:${port()}/`]) {
      assert.match((await post(url, 'live')).error!, /^refused by egress rules: .* loopback address/, url);
    }
    assert.match((await post('http://169.254.169.254/latest', 'test')).error!, /link-local address/);
  });

  test('test mode connects to the checked address and keeps the Host header', async () => {
    const result = await post(`http://rebind.test:${port()}/hooks`, 'test');
    assert.equal(result.statusCode, 200, result.error ?? '');
    assert.equal(receiver.received.at(-1)!.headers.host, `rebind.test:${port()}`);
  });

  test('a test app reaches loopback only where loopback is allowed: by name or literal, nothing is sent otherwise', async () => {
    const before = receiver.received.length;
    for (const url of [`http://rebind.test:${port()}/hooks`, `http://127.0.0.1:${port()}/`, `http://[::ffff:127.0.0.1]:${port()}/`]) {
      const result = await post(url, 'test', remote);
      assert.equal(result.statusCode, null, url);
      assert.match(result.error!, /^refused by egress rules: .* is a loopback address; .*RELINK_WEBHOOK_ALLOW_LOOPBACK/, url);
    }
    assert.equal(receiver.received.length, before, 'the trap on 127.0.0.1 received nothing');
    assert.equal((await post(`http://rebind.test:${port()}/hooks`, 'test')).statusCode, 200, 'the same request where loopback is allowed');
  });

  test('a name that does not resolve is a failed attempt', async () => {
    assert.match((await post('https://nowhere.test/', 'live')).error!, /did not resolve/);
  });
});

for (const kind of databases()) {
  describe(`[${kind}] egress rules on live apps`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let live: { id: string; secretKey: string };
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      receiver = await startReceiver((_req, res) => res.writeHead(200).end('x'.repeat(100_000)));
      live = await server.createApp('Live', { live: true });
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    test('PUT /v2/webhooks/endpoint refuses internal and plain-http URLs for a live key', async () => {
      const port = new URL(receiver.url).port;
      for (const url of [
        'https://127.0.0.1/h',
        'https://10.0.0.1/h',
        'https://169.254.169.254/h',
        'https://[::1]/h',
        `https://localhost:${port}/h`,
        'http://hooks.example.com/h',
      ]) {
        const res = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key: live.secretKey, body: { url } });
        assert.equal(res.status, 400, url);
        assert.equal(res.body.code, 'WEBHOOK_URL_REFUSED');
        assert.match(res.body.message, /body\.url/);
      }
      const fine = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key: live.secretKey, body: { url: 'https://hooks.example.com/relink' } });
      assert.equal(fine.status, 200, fine.text);
    });

    test('a live URL that reaches this machine at delivery time is a refused, recorded attempt', async () => {
      const port = new URL(receiver.url).port;
      for (const url of [`https://localhost:${port}/hooks`, `https://[::1]:${port}/hooks`, `https://127.0.0.1:${port}/hooks`]) {
        await server.services.database.db.updateTable('apps').set({ webhook_url: url }).where('id', '=', live.id).execute();
        await server.services.database.db
          .transaction()
          .execute((trx) => server.services.events.record(trx, { appId: live.id, type: 'mono.events.account_unlinked', data: { account: { _id: 'x' } } }));
        await server.services.webhooks.dispatcher.runDue();
        const delivery = (await deliveriesOf(server, live.id)).at(-1)!;
        assert.equal(delivery.url, url);
        assert.equal(delivery.status, 'pending', 'a refusal is retried like any failure');
        const [attempt] = await attemptsOf(server, delivery.id);
        assert.match(attempt!.error!, /^refused by egress rules: .*(loopback).* live webhooks must reach a public address/, url);
      }
      assert.equal(receiver.received.length, 0);
    });

    test('only the first 256 bytes of an answer are kept, and read back through the deliveries API', async () => {
      const app = await server.createApp('Chatty');
      await server.services.database.db.updateTable('apps').set({ webhook_url: receiver.url }).where('id', '=', app.id).execute();
      await server.services.database.db
        .transaction()
        .execute((trx) => server.services.events.record(trx, { appId: app.id, type: 'mono.events.account_unlinked', data: { account: { _id: 'x' } } }));
      await server.services.webhooks.dispatcher.runDue();
      const [delivery] = await deliveriesOf(server, app.id);
      const [attempt] = await attemptsOf(server, delivery!.id);
      assert.equal(attempt!.status_code, 200);
      assert.equal(attempt!.response_body_excerpt, 'x'.repeat(256));
      const read = await call(server.url, 'GET', `/v2/webhooks/deliveries/${delivery!.id}`, { key: app.secretKey });
      assert.equal(read.body.data.attempts[0].response_body, 'x'.repeat(256));
    });
  });
}

for (const kind of databases()) {
  describe(`[${kind}] a test app on a server where loopback is not allowed`, () => {
    let server: TestServer;
    let trap: Receiver;
    let app: { id: string; secretKey: string };
    before(async () => {
      // The server itself stays on 127.0.0.1 (tests never leave loopback); the switch says what a non-loopback HOST would.
      server = await startTestServer(kind, { logLevel: 'warn', env: { RELINK_WEBHOOK_ALLOW_LOOPBACK: 'off' } });
      trap = await startReceiver((_req, res) => res.writeHead(200).end('{"internal":"secret"}'));
      app = await server.createApp('Test app');
    });
    after(async () => {
      await server.stop();
      await trap.close();
    });

    test('PUT /v2/webhooks/endpoint refuses this machine, and a delivery to it is a refused attempt with nothing sent', async () => {
      const port = new URL(trap.url).port;
      const urls = [`http://127.0.0.1:${port}/hooks`, `http://localhost:${port}/hooks`, `http://[::1]:${port}/hooks`, `http://[::ffff:7f00:1]:${port}/hooks`];
      for (const url of urls) {
        const res = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key: app.secretKey, body: { url } });
        assert.equal(res.status, 400, `${url}: ${res.text}`);
        assert.equal(res.body.code, 'WEBHOOK_URL_REFUSED');
        assert.match(res.body.message, /RELINK_WEBHOOK_ALLOW_LOOPBACK/);
      }

      for (const url of urls) {
        await server.services.database.db.updateTable('apps').set({ webhook_url: url }).where('id', '=', app.id).execute();
        await server.services.database.db
          .transaction()
          .execute((trx) => server.services.events.record(trx, { appId: app.id, type: 'mono.events.account_unlinked', data: { account: { _id: 'x' } } }));
        await server.services.webhooks.dispatcher.runDue();
        const delivery = (await deliveriesOf(server, app.id)).at(-1)!;
        assert.equal(delivery.url, url);
        const read = await call(server.url, 'GET', `/v2/webhooks/deliveries/${delivery.id}`, { key: app.secretKey });
        const [attempt] = read.body.data.attempts;
        assert.equal(attempt.status_code, null, url);
        assert.equal(attempt.response_body, null, url);
        assert.match(attempt.error, /^refused by egress rules: .*loopback address; .*RELINK_WEBHOOK_ALLOW_LOOPBACK/, url);
      }
      assert.equal(trap.received.length, 0, 'the trap on 127.0.0.1 received nothing');
    });
  });
}
