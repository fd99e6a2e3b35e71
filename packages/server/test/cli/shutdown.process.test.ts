// Graceful shutdown of `relink serve`, run as a real child process. On SIGTERM (and SIGINT) it
// stops accepting connections, lets a request already in flight finish, closes the database and
// exits 0; idle keep-alive connections do not hold it open.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import http from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { call, createTestDatabase, databases, TEST_MASTER_KEY, type TestDatabase, waitFor } from '@relink/testkit';
import { openDatabase } from '../../src/db/database.ts';
import { databaseVars, envWith, ROOT, Served } from '../support/process.ts';

for (const kind of databases()) {
  describe(`[${kind}] relink serve shuts down gracefully`, () => {
    const dbs: TestDatabase[] = [];
    let served: Served | undefined;
    afterEach(() => served?.kill());
    after(async () => {
      for (const db of dbs) await db.drop();
    });

    /** `relink serve` on a fresh database; resolves once the banner (with the Sandbox key) is out. */
    async function start(): Promise<{ url: string; port: number; key: string; db: TestDatabase }> {
      const db = await createTestDatabase(kind);
      dbs.push(db);
      // Debug: a request is logged as it arrives, which is how these tests know one is in flight.
      served = new Served(['serve', '--data', db.dataDir], { PORT: '0', LOG_LEVEL: 'debug', RELINK_MASTER_KEY: TEST_MASTER_KEY, ...databaseVars(db) });
      const { url, key } = await served.sandbox();
      return { url, port: Number(new URL(url).port), key, db };
    }

    test('SIGTERM: stops accepting, finishes the in-flight request, closes the database, exits 0', async () => {
      const { url, port, key, db } = await start();
      const server = served!;
      // Requests before the signal succeed; the keep-alive connection they leave idle must not delay the exit.
      const keepAlive = new http.Agent({ keepAlive: true });
      const before = await Promise.all([1, 2, 3].map(() => get(url, '/v3/institutions', key, keepAlive)));
      assert.deepEqual(
        before.map((r) => r.status),
        [200, 200, 200],
      );

      // A request in flight: headers and half the body sent, so the server is waiting on the rest.
      const inFlight = startPartialPost(url, '/v3/in-flight', '{"half":', 'true}');
      await server.waitFor(/"url":"\/v3\/in-flight"/);

      server.child.kill('SIGTERM');
      await server.waitFor(/shutting down/);
      await waitFor(() => refused(port), 5_000, `port ${port} to refuse connections after SIGTERM`);

      // The request that was already in flight is still answered, in full.
      const answer = await inFlight.finish();
      assert.equal(answer.status, 404);
      assert.equal(JSON.parse(answer.body).code, 'ROUTE_NOT_FOUND');

      assert.deepEqual(await server.exited(10_000), { code: 0, signal: null });
      assert.equal(await refused(port), true, 'the port is closed after exit');
      keepAlive.destroy();
      if (kind === 'sqlite') {
        // SQLite removes the write-ahead log only when the last connection closes cleanly.
        assert.ok(existsSync(join(db.dataDir, 'relink.db')));
        assert.ok(!existsSync(join(db.dataDir, 'relink.db-wal')), 'the database was not closed');
      }
      assert.match(server.stdout, /"signal":"SIGTERM"/);
      assert.equal(server.stderr, '');
    });

    test('SIGTERM while a handler whose client has gone is still at the bank: the login is recorded before the database closes', async () => {
      const { url, port, key, db } = await start();
      const server = served!;
      const session = await call(url, 'POST', '/v2/connect/session', {
        key,
        body: {
          institution: '5f2d08be60b92e2888287000',
          auth_method: 'internet_banking',
          scope: 'financial_data',
          customer: { name: 'Ada Obi', email: 'ada@example.com' },
        },
      });
      const id = session.body.data.session.id as string;
      // user_slow: the bank answers after 2 s. The whole request goes in one write; once the
      // handler has claimed the session (it is at the bank), the client resets the connection. A
      // reset, not a FIN: a half-closed socket would keep Fastify's close waiting for the reply.
      const body = JSON.stringify({ username: 'user_slow', password: 'pass_good' });
      const client = connect(port, '127.0.0.1');
      client.on('error', () => {});
      client.write(
        `POST /v2/connect/login HTTP/1.1\r\nhost: 127.0.0.1\r\nmono-sec-key: ${key}\r\nx-session-id: ${id}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await waitFor(async () => (await sessionRow(db, id))?.busy_until != null, 10_000, `session ${id} to be claimed`);
      client.resetAndDestroy();

      server.child.kill('SIGTERM');
      assert.deepEqual(await server.exited(15_000), { code: 0, signal: null });
      assert.equal(server.stderr, '');
      assert.doesNotMatch(server.stdout, /"level":(50|60)/, 'nothing failed: the database was still open when the bank answered');
      const row = await sessionRow(db, id);
      assert.equal(row?.status, 'completed', 'the login the bank answered is recorded');
      assert.ok(row?.account_id, 'with the account it linked');
    });

    test('SIGINT (Ctrl-C) exits 0 the same way', async () => {
      const { url, port, key } = await start();
      assert.equal((await call(url, 'GET', '/v3/institutions', { key })).status, 200);
      served!.child.kill('SIGINT');
      assert.deepEqual(await served!.exited(10_000), { code: 0, signal: null });
      assert.equal(await refused(port), true);
    });

    test('SIGTERM with nothing in flight exits 0 within a few seconds', async () => {
      const { url, key } = await start();
      assert.equal((await call(url, 'GET', '/v3/institutions', { key })).status, 200);
      const started = Date.now();
      served!.child.kill('SIGTERM');
      assert.deepEqual(await served!.exited(5_000), { code: 0, signal: null });
      assert.ok(Date.now() - started < 5_000);
    });
  });
}

describe('npm start passes SIGTERM on to the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relink-npm-start-'));
  let npm: ChildProcess | undefined;
  after(() => {
    // The whole group, npm gone or not: a server npm left behind is still in it.
    try {
      if (npm?.pid) process.kill(-npm.pid, 'SIGKILL');
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGTERM to npm (only npm, as a process manager that knows one pid sends it) stops the server gracefully, and npm exits 0', async () => {
    // In its own process group, so that what is left after the signal can be found and killed.
    npm = spawn('npm', ['start'], { cwd: ROOT, env: envWith({ PORT: '0', RELINK_DATA_DIR: dir }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    npm.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    npm.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    // `exit`, not `close`: a server left behind would hold the pipes open.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm!.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitFor(() => /Relink is listening on http:\/\/127\.0\.0\.1:\d+\n/.test(out), 30_000, `the banner, through npm start\n${out}`);
    const port = Number(/Relink is listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);

    process.kill(npm.pid!, 'SIGTERM');
    const result = await Promise.race([exited, delay(15_000).then(() => 'npm did not exit within 15 s' as const)]);
    assert.deepEqual(result, { code: 0, signal: null }, out);
    assert.match(out, /"signal":"SIGTERM","msg":"shutting down: finishing in-flight requests"/, 'the server itself got the signal');
    assert.equal(await refused(port), true, 'no server is left listening');
    let left = true;
    try {
      process.kill(-npm.pid!, 0);
    } catch {
      left = false;
    }
    assert.equal(left, false, 'no process of the group is left');
  });
});

// ---------------------------------------------------------------------------------------------

/** A session's stored status, read from the database (beside the server, or after it has exited). */
async function sessionRow(db: TestDatabase, id: string) {
  const database = openDatabase(db.url.startsWith('sqlite:') ? { kind: 'sqlite', file: db.url.slice('sqlite:'.length) } : { kind: 'postgres', url: db.url });
  try {
    return await database.db.selectFrom('sessions').select(['status', 'account_id', 'busy_until']).where('id', '=', id).executeTakeFirst();
  } finally {
    await database.close();
  }
}

function get(base: string, path: string, key: string, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { headers: { 'mono-sec-key': key }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

/** A POST whose body arrives in two parts: `first` now, `rest` when `finish` is called. */
function startPartialPost(base: string, path: string, first: string, rest: string) {
  const req = http.request(base + path, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(first + rest) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
  response.catch(() => {}); // observed through finish()
  req.flushHeaders();
  req.write(first);
  return {
    finish() {
      req.end(rest);
      return response;
    },
  };
}

/** True when a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
