/**
 * Webhook delivery throughput on this machine, as ratios against a baseline measured in the
 * same run, all against one local receiver (node:http on 127.0.0.1 answering 200 at once).
 *
 *   baseline: plain signed POSTs straight to the receiver, 8 in flight (the dispatcher's
 *             per-app limit): what HTTP alone costs
 *   outbox:   N events committed in one transaction; time until the receiver has all N
 *             (claim, sign, send, record the attempt, mark succeeded)
 *   fire:     N POST /v2/sandbox/webhooks/fire, 16 in flight; time until the receiver has
 *             all N (the API, the event and its delivery row in one transaction, delivery)
 *
 * Runs on SQLite in a temporary directory, or on PostgreSQL when DATABASE_URL names one.
 * BENCH_EVENTS (default 1000) per case.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '../packages/server/src/webhooks/signing.ts';
import { SANDBOX_BANK, startBench } from './support.ts';

const events = Number(process.env.BENCH_EVENTS ?? 1000);
let received = 0;
let onReceived = () => {};
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200).end();
    received++;
    onReceived();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

const { services, app, post, close } = await startBench();
const set = await services.webhooks.setEndpoint(app.id, 'test', receiverUrl);
if ('refused' in set) throw new Error(`receiver refused: ${set.refused}`);

// One linked account to fire events for; its own connect/update events are delivered first.
const session = await post('/v2/connect/session', SANDBOX_BANK);
const login = await post('/v2/connect/login', { username: 'user_good', password: 'pass_good' }, { 'x-session-id': session.data.session.id });
const account = (await post('/v2/accounts/auth', { code: login.data.code })).id as string;

/** Resolves once the receiver has seen `count` more requests than it had when called. */
function receive(count: number): Promise<void> {
  const target = received + count;
  return new Promise((resolve) => {
    onReceived = () => {
      if (received >= target) resolve();
    };
    onReceived();
  });
}

async function settle() {
  for (let quiet = 0; quiet < 5; ) {
    const before = received;
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = received === before ? quiet + 1 : 0;
  }
}

async function inParallel(n: number, width: number, op: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await op(next++);
  }));
}

const cases: Record<string, () => Promise<void>> = {
  baseline: async () => {
    const secret = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
    const done = receive(events);
    await inParallel(events, 8, async (i) => {
      const body = JSON.stringify({ event: 'mono.events.account_updated', event_id: `evt_${i}`, timestamp: new Date().toISOString(), data: { account: { _id: account } } });
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await fetch(receiverUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': `evt_${i}`, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, `evt_${i}`, timestamp, body) },
        body,
      });
      await res.arrayBuffer();
    });
    await done;
  },
  outbox: async () => {
    const done = receive(events);
    await services.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < events; i++) {
        await services.events.record(trx, { appId: app.id, type: 'mono.events.account_updated', accountId: account, data: { account: { _id: account }, n: i } });
      }
    });
    services.events.committed();
    await done;
  },
  fire: async () => {
    const done = receive(events);
    await inParallel(events, 16, async () => {
      await post('/v2/sandbox/webhooks/fire', { event: 'mono.events.account_updated', account });
    });
    await done;
  },
};

try {
  await settle();
  console.log(`Relink webhook bench on ${services.database.kind}, ${events} events per case`);
  const results: { name: string; perSecond: number; seconds: number }[] = [];
  for (const [name, op] of Object.entries(cases)) {
    const start = performance.now();
    await op();
    const seconds = (performance.now() - start) / 1000;
    results.push({ name, perSecond: events / seconds, seconds });
    await settle();
  }
  const base = results[0]!.perSecond;
  for (const r of results) {
    console.log(`${r.name.padEnd(9)} ${r.perSecond.toFixed(0).padStart(7)} deliveries/s  ${r.seconds.toFixed(2).padStart(6)} s  ratio to baseline ${(r.perSecond / base).toFixed(3)}`);
  }
  const failed = await services.database.db.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'succeeded').execute();
  if (failed.length > 0) throw new Error(`${failed.length} deliveries did not succeed`);
} finally {
  await close();
  receiver.closeAllConnections();
  receiver.close();
}
