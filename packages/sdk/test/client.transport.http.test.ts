// The client's transport between a partner and a real Relink server, with a loopback proxy in
// the middle that fails on purpose: retries happen on dropped connections, timeouts and 5xx
// only; a retried POST carries the same Idempotency-Key and so has one effect.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { databases, type TestServer, type CountingBank, link, settle, startReauthServer } from '@relink/testkit';
import { Relink, RelinkConnectionError, RelinkError } from '../src/index.ts';

type Behaviour = 'forward' | 'drop' | 'hang' | 'forward-then-drop' | number;

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** What the server answered, when the proxy forwarded. */
  answer?: string;
}

/** A proxy on 127.0.0.1 that treats the nth request as `plan(n)` says. */
async function startProxy(target: string, plan: (n: number) => Behaviour) {
  const seen: Seen[] = [];
  const server: Server = createServer(
    (req, res) =>
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const entry: Seen = { method: req.method!, path: req.url!, headers: req.headers };
        seen.push(entry);
        const behaviour = plan(seen.length - 1);
        if (behaviour === 'hang') return;
        if (behaviour === 'drop') return void req.socket.destroy();
        if (typeof behaviour === 'number')
          return void res
            .writeHead(behaviour, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'failed', message: 'proxy says no', code: 'INTERNAL_ERROR' }));
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<
          string,
          string
        >;
        const answer = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        entry.answer = await answer.text();
        if (behaviour === 'forward-then-drop') return void req.socket.destroy();
        res
          .writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
            'x-request-id': answer.headers.get('x-request-id') ?? '',
          })
          .end(entry.answer);
      })(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

for (const kind of databases()) {
  describe(`[${kind}] SDK transport: retries, idempotency, timeouts`, () => {
    let server: TestServer & { bank: CountingBank };
    let key: string;
    let account: string;
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('Transport partner')).secretKey;
      account = await link(server, key, 'user_good');
      await settle(server);
    });
    after(() => server.stop());

    const client = (baseUrl: string, options: { retries?: number; timeoutMs?: number } = {}) =>
      new Relink({ secretKey: key, baseUrl, retryDelayMs: 10, ...options });

    test('a server that fails twice with 503, then answers: one call, three tries, the answer', async () => {
      const proxy = await startProxy(server.url, (n) => (n < 2 ? 503 : 'forward'));
      try {
        const details = await client(proxy.url).accounts.get(account);
        assert.equal(details.account.id, account);
        assert.equal(proxy.seen.length, 3);
      } finally {
        await proxy.close();
      }
    });

    test('dropped connections are retried; a POST keeps one Idempotency-Key across its tries', async () => {
      const proxy = await startProxy(server.url, (n) => (n < 2 ? 'drop' : 'forward'));
      try {
        await client(proxy.url).accounts.sync(account);
        assert.equal(proxy.seen.length, 3);
        const keys = new Set(proxy.seen.map((s) => s.headers['idempotency-key']));
        assert.equal(keys.size, 1);
        assert.match(String([...keys][0]), /^[0-9a-f-]{36}$/);
      } finally {
        await proxy.close();
      }
    });

    test('a POST whose answer was lost has one effect: the retry gets the first answer, not a second token', async () => {
      const proxy = await startProxy(server.url, (n) => (n === 0 ? 'forward-then-drop' : 'forward'));
      try {
        const token = (await client(proxy.url).accounts.reauthorise(account)).token;
        assert.equal(proxy.seen.length, 2);
        const first = JSON.parse(proxy.seen[0]!.answer!) as { token: string };
        assert.equal(token, first.token, 'the retry replayed the answer the lost try produced');
        const issued = await server.services.database.db.selectFrom('reauth_tokens').select('hash').where('account_id', '=', account).execute();
        assert.equal(issued.length, 1, 'one token issued for two tries');
      } finally {
        await proxy.close();
      }
    });

    test('every POST call gets its own key; GETs carry none; an explicit key is used as given', async () => {
      const proxy = await startProxy(server.url, () => 'forward');
      try {
        const relink = client(proxy.url);
        await relink.accounts.sync(account);
        await relink.accounts.sync(account);
        await relink.accounts.get(account);
        await relink.accounts.sync(account, { idempotencyKey: 'partner-chosen-key-1' });
        const keys = proxy.seen.map((s) => s.headers['idempotency-key']);
        assert.notEqual(keys[0], keys[1]);
        assert.equal(keys[2], undefined);
        assert.equal(keys[3], 'partner-chosen-key-1');
      } finally {
        await proxy.close();
      }
    });

    test('a 4xx is not retried', async () => {
      const proxy = await startProxy(server.url, () => 'forward');
      try {
        const error = await client(proxy.url)
          .accounts.get('000000000000000000000000')
          .catch((e: unknown) => e);
        assert.ok(error instanceof RelinkError && error.status === 404 && error.code === 'ACCOUNT_NOT_FOUND', String(error));
        assert.ok(error.requestId, 'the server request id travels with the error');
        assert.equal(proxy.seen.length, 1);
      } finally {
        await proxy.close();
      }
    });

    test('retries are bounded: 5xx every time ends in RelinkError 503 after 1 + retries tries', async () => {
      const proxy = await startProxy(server.url, () => 503);
      try {
        const error = await client(proxy.url, { retries: 3 })
          .accounts.get(account)
          .catch((e: unknown) => e);
        assert.ok(error instanceof RelinkError && error.status === 503, String(error));
        assert.equal(proxy.seen.length, 4);
      } finally {
        await proxy.close();
      }
    });

    test('no answer within the timeout, on every try: RelinkConnectionError saying so', async () => {
      const proxy = await startProxy(server.url, () => 'hang');
      try {
        const error = await client(proxy.url, { retries: 1, timeoutMs: 150 })
          .accounts.get(account)
          .catch((e: unknown) => e);
        assert.ok(error instanceof RelinkConnectionError, String(error));
        assert.equal(error.attempts, 2);
        assert.match(error.message, /no answer within 150 ms/);
        assert.equal(proxy.seen.length, 2);
      } finally {
        await proxy.close();
      }
    });

    test("an injected fetch carries every call; the default base URL is Mono's", async () => {
      const calls: { url: string; init: RequestInit }[] = [];
      const recording: typeof fetch = async (url, init) => {
        calls.push({ url: String(url), init: init! });
        return new Response(JSON.stringify({ status: 'successful', message: 'ok', timestamp: new Date().toISOString(), data: { id: 'x' }, id: 'x' }), {
          status: 200,
        });
      };
      const mono = new Relink({ secretKey: 'live_sk_partner', fetch: recording });
      assert.deepEqual(await mono.accounts.exchange('code_abc'), { id: 'x' });
      assert.equal(calls[0]!.url, 'https://api.withmono.com/v2/accounts/auth');
      const headers = calls[0]!.init.headers as Record<string, string>;
      assert.equal(headers['mono-sec-key'], 'live_sk_partner');
      assert.equal(calls[0]!.init.body, JSON.stringify({ code: 'code_abc' }));
      assert.throws(() => new Relink({ secretKey: '' }), /secretKey is required/);
    });
  });
}
