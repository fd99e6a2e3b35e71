#!/usr/bin/env node
// The raw loop webhooks are compared with, a process of its own: signed POSTs straight to the
// receiver, as Relink's dispatcher sends them (the same body, the same headers, an HMAC-SHA256
// Standard Webhooks signature computed per request, undici with a keep-alive agent), with none
// of the storing, claiming or recording. A plan (argv[2], JSON) is either
//   {url, body, count, concurrency}   send `count` with `concurrency` in flight, as fast as answered
//   {url, body, rate, seconds}        send `rate` per second, each on its schedule (not waiting)
// `body` is a delivered event, whose `event_id` and `timestamp` are replaced per request (the
// timestamp is when the request is made: the raw loop's "commit"). One JSON line on stdout,
// with the process's own CPU time (start-up included).
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';

const plan = JSON.parse(process.argv[2]);
const secret = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
const key = Buffer.from(secret.slice(6), 'base64');
const template = JSON.parse(plan.body);
const agent = new Agent({ keepAliveTimeout: 4_000 });
let sent = 0;
let failed = 0;

async function sendOne(i) {
  const id = `evt_raw${process.pid}_${i}`;
  const now = Date.now();
  const body = JSON.stringify({ ...template, event_id: id, timestamp: new Date(now).toISOString() });
  const timestamp = Math.floor(now / 1000);
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  try {
    const res = await request(plan.url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Relink-Webhooks/0.1',
        'mono-webhook-secret': secret,
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
      },
      body,
    });
    await res.body.text();
    if (res.statusCode >= 300) failed++;
  } catch {
    failed++;
  }
  sent++;
}

const started = performance.now();
if (plan.count) {
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.count) await sendOne(next++);
    }),
  );
} else {
  const total = Math.round(plan.rate * plan.seconds);
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / plan.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(sendOne(i));
  }
  await Promise.all(pending);
}
const seconds = (performance.now() - started) / 1000;
await agent.close();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ sent, failed, seconds, perSecond: sent / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
