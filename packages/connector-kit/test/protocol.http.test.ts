// The connector protocol's guarantees, between the kit's client and its server adapter on
// loopback: every message signed both ways, a login retried after a dropped connection runs
// at the bank once (idempotency keys), Relink's timeout reaches the connector, and the served
// OpenAPI document names every call the adapter answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CONNECTOR_INTERFACE_VERSION, type ConnectorContext, defineConnector, loginForm, outcome } from '@relink/connector-kit';
import { connectRemote, type ConnectorService, newMessageId, PATHS, PROTOCOL_OPENAPI, serveConnector, signedHeaders } from '@relink/connector-kit/protocol';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const context = (ms = 5_000): ConnectorContext => ({ signal: AbortSignal.timeout(ms), now: () => 1_700_000_000_000 });

const calls = { login: 0, aborted: 0 };
const module = defineConnector({
  interfaceVersion: CONNECTOR_INTERFACE_VERSION,
  name: 'counting',
  institutions: [
    {
      id: '6a1f0000000000000000c001',
      name: 'Counting Bank',
      type: 'PERSONAL_BANKING',
      identifier: 'test.counting',
      bankCode: '1',
      nipCode: '1',
      country: 'ng',
      primaryColor: '#000000',
      icon: '/icon.svg',
      authMethods: [{ id: '6a1f0000000000000000c101', type: 'internet_banking', name: 'IB', ui: loginForm('Counting Bank') }],
    },
  ],
  create: () => ({
    name: 'counting',
    async login(input, ctx) {
      calls.login++;
      if (input.fields.username === 'slow') {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 10_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            calls.aborted++;
            reject(new Error('aborted'));
          });
        });
      }
      if (input.fields.username === 'bug') throw new Error(`bug with ${input.fields.password}`);
      return outcome.ok([{ accountNumber: '0000000001', name: 'A', type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: 1 }], { at: ctx.now() });
    },
    answer: async () => outcome.invalidCredentials(),
    selectAccount: async () => outcome.invalidCredentials(),
    fetchData: async () => outcome.sessionExpired(),
  }),
});

describe('connector protocol: client and server adapter', () => {
  let service: ConnectorService;
  before(async () => {
    service = await serveConnector(module, { secret: SECRET, faultControl: true });
  });
  after(() => service.close());

  test('the adapter binds loopback; the manifest and the outcomes arrive, with Relink’s clock', async () => {
    assert.match(service.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const { manifest, connector } = await connectRemote(service.url, { secret: SECRET });
    assert.equal(manifest.name, 'counting');
    assert.equal(manifest.interfaceVersion, CONNECTOR_INTERFACE_VERSION);
    assert.equal(manifest.sandboxControls, false);
    const result = await connector.login(
      { institutionId: '6a1f0000000000000000c001', authMethod: 'internet_banking', fields: { username: 'a', password: 'b' } },
      context(),
    );
    assert.deepEqual(result.kind === 'ok' && result.state, { at: 1_700_000_000_000 });
  });

  test('unsigned, wrongly signed and replayed requests are 401 and never reach the connector', async () => {
    const before = calls.login;
    const body = JSON.stringify({ now: 1, input: { institutionId: 'x', authMethod: 'y', fields: {} } });
    const post = (headers: Record<string, string>) =>
      fetch(`${service.url}${PATHS.login}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': newMessageId(), ...headers },
        body,
      });
    assert.equal((await post({})).status, 401);
    assert.equal((await post(signedHeaders(`whsec_${randomBytes(32).toString('base64')}`, newMessageId(), body))).status, 401);
    assert.equal((await post(signedHeaders(SECRET, newMessageId(), body, Date.now() - 600_000))).status, 401, 'ten minutes old');
    assert.equal((await post(signedHeaders(SECRET, newMessageId(), `${body} `))).status, 401, 'the body changed after signing');
    assert.equal(calls.login, before);
  });

  test('the same idempotency key runs the login once and answers the same; another body with it is 409; a login without one is 400', async () => {
    const body = JSON.stringify({ now: 5, input: { institutionId: 'x', authMethod: 'y', fields: { username: 'once' } } });
    const key = newMessageId();
    const post = (text: string, idempotencyKey?: string) =>
      fetch(`${service.url}${PATHS.login}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          ...signedHeaders(SECRET, newMessageId(), text),
        },
        body: text,
      });
    const before = calls.login;
    const [first, second] = await Promise.all([post(body, key), post(body, key)]);
    assert.equal(first.status, 200);
    assert.equal(await first.text(), await second.text());
    assert.equal(calls.login, before + 1);
    assert.equal((await post(body.replace('once', 'twice'), key)).status, 409);
    assert.equal((await post(body)).status, 400);
  });

  test('a connection dropped before the answer is sent again with the same key: the bank logs in once', async () => {
    let forwarded = 0;
    const flaky = createServer((req, res) => {
      forwarded++;
      if (forwarded === 2) {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void fetch(`${service.url}${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
        }).then(async (answer) => {
          const headers: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            headers[name] = value;
          });
          res.writeHead(answer.status, headers);
          res.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const { connector } = await connectRemote(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}`, { secret: SECRET });
      const before = calls.login;
      const result = await connector.login({ institutionId: 'x', authMethod: 'y', fields: { username: 'retried' } }, context());
      assert.equal(result.kind, 'ok');
      assert.equal(forwarded, 3, 'manifest, the dropped login, its retry');
      assert.equal(calls.login, before + 1);
    } finally {
      flaky.closeAllConnections();
      flaky.close();
    }
  });

  test('Relink’s timeout ends the connector’s work at the service too; a thrown bug is a 500 that names no credential', async () => {
    const { connector } = await connectRemote(service.url, { secret: SECRET, timeoutMs: 300 });
    const aborted = calls.aborted;
    await assert.rejects(connector.login({ institutionId: 'x', authMethod: 'y', fields: { username: 'slow' } }, context(300)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(calls.aborted, aborted + 1);
    const bug = await connector
      .login({ institutionId: 'x', authMethod: 'y', fields: { username: 'bug', password: 'hunter2' } }, context())
      .catch((e: Error) => e);
    assert.ok(bug instanceof Error);
    assert.match(bug.message, /answered \/v1\/login with 500: the connector threw \(Error\)/);
    assert.doesNotMatch(bug.message, /hunter2/);
  });

  test('an answer not signed by the service is refused, and a service that is down is the bank unavailable', async () => {
    const impostor = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"ok"}'));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        connectRemote(`http://127.0.0.1:${(impostor.address() as AddressInfo).port}`, { secret: SECRET }),
        /not signed with the shared secret/,
      );
    } finally {
      impostor.close();
    }
    const { connector } = await connectRemote(service.url, { secret: SECRET });
    service.faults.mode = 'down';
    try {
      const down = await connector.login({ institutionId: 'x', authMethod: 'y', fields: { username: 'a' } }, context());
      assert.equal(down.kind, 'unavailable');
    } finally {
      service.faults.mode = 'none';
    }
  });

  test('the OpenAPI document is served and names every call the adapter answers', async () => {
    const doc = await (await fetch(`${service.url}${PATHS.openapi}`)).json();
    assert.deepEqual(doc, JSON.parse(JSON.stringify(PROTOCOL_OPENAPI)));
    const documented = Object.keys(doc.paths).sort();
    const served = Object.entries(PATHS)
      .filter(([name]) => !['faults', 'openapi'].includes(name))
      .map(([, path]) => path)
      .sort();
    assert.deepEqual(documented, served);
  });
});
