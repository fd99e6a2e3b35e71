#!/usr/bin/env node
// A webhook receiver, a process of its own (forked by webhooks.bench.mjs, driven over IPC):
// node:http on 127.0.0.1 answering 200 to every POST as soon as its body has arrived. For every
// request it keeps the `webhook-id` and the time from the event's `timestamp` (set when the
// event was recorded, inside the transaction that commits it) to the moment the body arrived.
//
// Messages: {cmd:'up'} listens on argv[2]'s port (0: any), {cmd:'down'} stops listening and
// drops open connections (a receiver that is down refuses connections), {cmd:'reset'} forgets
// what arrived, {cmd:'wait', count, timeoutMs} answers once `count` distinct ids arrived,
// {cmd:'stats'} answers at once. Every answer is the same summary.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

let port = Number(process.argv[2] ?? 0);
const ids = new Set();
let requests = 0;
let latencies = [];
let firstAt = null;
let lastAt = null;
let sample = null;
let waiting = null;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    const body = Buffer.concat(chunks).toString('utf8');
    requests++;
    firstAt ??= at;
    lastAt = at;
    ids.add(req.headers['webhook-id']);
    sample = body;
    const timestamp = Date.parse(JSON.parse(body).timestamp);
    latencies.push(at - timestamp);
    if (waiting && ids.size >= waiting.count) answerWait();
  });
});
server.keepAliveTimeout = 5_000;

function summary() {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => (sorted.length === 0 ? null : Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2)));
  return {
    requests,
    distinct: ids.size,
    firstAt,
    lastAt,
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    sample,
    url: server.listening ? `http://127.0.0.1:${port}/hooks` : null,
  };
}

function answerWait() {
  clearTimeout(waiting.timer);
  waiting = null;
  process.send(summary());
}

process.on('message', (message) => {
  if (message.cmd === 'up') {
    server.listen(port, '127.0.0.1', () => {
      port = server.address().port;
      process.send(summary());
    });
  } else if (message.cmd === 'down') {
    server.close(() => process.send(summary()));
    server.closeAllConnections();
  } else if (message.cmd === 'reset') {
    ids.clear();
    requests = 0;
    latencies = [];
    firstAt = lastAt = null;
    process.send(summary());
  } else if (message.cmd === 'wait') {
    waiting = { count: message.count, timer: setTimeout(answerWait, message.timeoutMs) };
    if (ids.size >= message.count) answerWait();
  } else if (message.cmd === 'stats') {
    process.send(summary());
  }
});
process.on('disconnect', () => process.exit(0));
