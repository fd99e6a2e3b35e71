import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { call, createTestDatabase, databases, TEST_MASTER_KEY, testConfig, type TestDatabase } from '../helpers.ts';
import { fire, insertAccount, ok, type Receiver, setEndpoint, startReceiver, waitFor } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/relink.mjs', import.meta.url));

interface Spawned {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `relink serve` as a real process; resolves once its banner names the URL. */
async function serve(db: TestDatabase): Promise<Spawned> {
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    RELINK_MASTER_KEY: TEST_MASTER_KEY,
    RELINK_DATA_DIR: db.dataDir,
    RELINK_WEBHOOK_TIMEOUT_MS: '2000',
    RELINK_WEBHOOK_POLL_MS: '200',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => /Relink is listening on (\S+)/.test(output) || child.exitCode !== null, 30_000, 'the server banner');
  const url = output.match(/Relink is listening on (\S+)/)?.[1];
  if (!url) throw new Error(`relink serve did not start:\n${output}`);
  return { child, url, output: () => output };
}

async function kill(spawned: Spawned | undefined, signal: NodeJS.Signals) {
  if (!spawned || spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
  const exited = once(spawned.child, 'exit');
  spawned.child.kill(signal);
  await exited;
}

for (const kind of databases()) {
  describe(`[${kind}] kill -9 in the middle of deliveries`, () => {
    let db: TestDatabase;
    let receiver: Receiver;
    const running: Spawned[] = [];
    before(async () => {
      db = await createTestDatabase(kind);
      receiver = await startReceiver(() => {});
    });
    after(async () => {
      for (const spawned of running) await kill(spawned, 'SIGKILL');
      await receiver.close();
      await db.drop();
    });

    test('every event is delivered at least once after the server is killed and restarted', async () => {
      const first = await serve(db);
      running.push(first);
      const key = first.output().match(/secret key:\s+(\S+)/)![1]!;
      const appId = first.output().match(/test-mode app "Sandbox" \(([0-9a-f]{24})\)/)![1]!;
      await setEndpoint(first, key, receiver.url);
      const database = openDatabase(testConfig(db).database);
      const account = await insertAccount(database.db, appId).finally(() => database.close());

      const fired: string[] = [];
      for (let i = 0; i < 12; i++) fired.push((await fire(first, key, account)).event_id);
      await waitFor(() => receiver.received.length >= 8, 10_000, 'deliveries in flight');
      await kill(first, 'SIGKILL');
      assert.equal(first.child.signalCode, 'SIGKILL');

      const beforeRestart = receiver.received.length;
      receiver.answer = ok;
      const delivered = () => new Set(receiver.received.slice(beforeRestart).map((r) => r.id));
      const second = await serve(db);
      running.push(second);
      await waitFor(() => fired.every((id) => delivered().has(id)), 30_000, 'every event after the restart');

      await waitFor(async () => (await call(second.url, 'GET', '/v2/webhooks/deliveries?status=succeeded', { key })).body.meta.total === 12, 15_000, 'rows to say so');
      const pending = await call(second.url, 'GET', '/v2/webhooks/deliveries?status=pending', { key });
      assert.equal(pending.body.meta.total, 0);
      await kill(second, 'SIGTERM');
      assert.equal(second.child.exitCode, 0, second.output());
    });
  });
}
