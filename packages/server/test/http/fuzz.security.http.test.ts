// Attack: hostile input on every operation /openapi.json describes — wrong types, huge and
// deep values, broken encodings, odd headers and content types, ids of every shape. Whatever
// arrives, the answer is never a 5xx, always JSON in the envelope with a catalogue code and
// x-request-id. Seeded, so a failure reproduces; bounded to 30 requests per operation. And every
// number a client may send is bounded in the schema: a page of 1e20 once reached the database
// as an offset it cannot hold (500), and a page above 2^53 was silently rounded to another.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isErrorCode } from '@relink/contract';
import { call, databases, startTestServer, type TestServer, link, settle, type Receiver, setEndpoint, startReceiver } from '@relink/testkit';
import { v2Session } from '../support/linking.ts';
import { fire } from '../support/webhooks.ts';
import { type Operation, operations } from '../support/surface.ts';

const CASES_PER_OPERATION = 30;
const SEED = Number(process.env.RELINK_FUZZ_SEED ?? 20261129);

/** mulberry32: a small seeded PRNG, so every run sends the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
}

const nest = (n: number, leaf: unknown = 1): unknown => (n === 0 ? leaf : { a: nest(n - 1, leaf) });
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  1e20,
  1e308,
  -1e308,
  2 ** 53 + 1,
  '',
  ' ',
  'x'.repeat(100_000),
  '\u0000',
  '\ud800',
  'é',
  '💩',
  '../../etc/passwd',
  "'; drop table accounts;--",
  '{"$gt":""}',
  '%ZZ',
  '<script>',
  {},
  [],
  [1, 'a', null],
  nest(30),
  { __proto__: { polluted: 1 } },
  { constructor: { prototype: { polluted: 1 } } },
  'code_aaaaaaaaaaaaaaaaaaaaaaaa',
  '5f2d08be60b92e2888287000',
];
const RAW_BODIES = [
  'null',
  '[]',
  '"text"',
  '1',
  '{',
  '{"a":',
  '{"a":1,"a":2}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '\u0000\u0001\u0002',
  '\ufeff{}',
  '{}'.padEnd(2000, ' '),
  JSON.stringify(nest(40)),
  '['.repeat(10_000),
  '{"a":"\\ud800"}',
  '{"a":1e999}',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/vnd.api+json',
  '*/*',
  ';;;',
  '',
];
const PATH_IDS = [
  '',
  'a'.repeat(24),
  '0'.repeat(24),
  'A'.repeat(24),
  'a'.repeat(101),
  'a'.repeat(3000),
  '%ZZ',
  '%00',
  '%C3%A9',
  '%F0%9F%92%A9',
  '..%2F..%2Fetc',
  'null',
  '-1',
  '1e309',
  '%20',
  "'%20or%201=1",
  '%7B%22%24gt%22%3A%22%22%7D',
  'evt_x',
  'dlv_x',
  '%2e%2e',
];
const QUERY_VALUES = [
  '',
  '-1',
  '0',
  '1e400',
  '1e20',
  '1.5',
  '-0',
  '9007199254740993',
  'NaN',
  'true',
  '[]',
  'x'.repeat(5000),
  '%ZZ',
  '%00',
  '%C3%A9',
  '01-13-2025',
  '31-02-2025',
  '2025-99-99',
  '9'.repeat(30),
];
const HEADER_VALUES = ['', 'x'.repeat(256), 'x'.repeat(4000), 'a b', 'é', '\t', 'session_x', 'null', '0', '../..'];

for (const kind of databases()) {
  describe(`[${kind}] fuzzing every operation from /openapi.json`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let key: string;
    let ops: Operation[];
    const real = { account: '', event: '', delivery: '', session: '' };

    before(async () => {
      // The limits would turn much of this into 429s; they have their own tests.
      server = await startTestServer(kind, {
        logLevel: 'warn',
        env: {
          RELINK_AUTH_FAILURES_PER_MINUTE: '0',
          RELINK_SESSIONS_PER_MINUTE: '0',
          RELINK_STEPS_PER_MINUTE: '0',
          RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE: '0',
          RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE: '0',
          RELINK_BANK_LOGIN_FAILURES: '100',
          RELINK_BANK_ANSWER_FAILURES: '100',
        },
      });
      receiver = await startReceiver();
      key = (await server.createApp('Fuzzed')).secretKey;
      await setEndpoint(server, key, receiver.url);
      real.account = await link(server, key, 'user_good');
      await settle(server);
      const fired = await fire(server, key, real.account);
      real.event = fired.event_id;
      real.delivery = fired.delivery_id!;
      real.session = await v2Session(server, key);
      ops = await operations(server);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    test(`${CASES_PER_OPERATION} hostile requests per operation: no 5xx, every answer in the envelope with x-request-id`, async () => {
      const random = prng(SEED);
      const failures: string[] = [];
      let sent = 0;
      for (const op of ops) {
        const started = Date.now();
        for (let i = 0; i < CASES_PER_OPERATION; i++) {
          const request = build(op, random, key, real);
          let res;
          try {
            res = await call(server.url, op.method, request.path, { headers: request.headers, ...(request.raw === undefined ? {} : { raw: request.raw }) });
          } catch (error) {
            failures.push(`${op.method} ${request.path}: no answer (${(error as Error).message})`);
            continue;
          }
          sent++;
          const problem = judge(res);
          if (problem)
            failures.push(
              `${op.method} ${request.path.slice(0, 120)} ${JSON.stringify(request.headers).slice(0, 200)} ${String(request.raw).slice(0, 80)} → ${res.status} ${problem}: ${res.text.slice(0, 200)}`,
            );
        }
        if (process.env.RELINK_FUZZ_PROFILE) console.log(`${op.method} ${op.path}: ${Date.now() - started} ms`);
      }
      assert.deepEqual(failures, [], `${failures.length} of ${sent} answers were wrong`);
      assert.ok(sent >= ops.length * CASES_PER_OPERATION * 0.95, `only ${sent} requests answered`);
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was not polluted');
      const errors = server.logs.filter((line) => JSON.parse(line).level >= 50);
      assert.deepEqual(errors, [], 'nothing fuzzed is logged as an error');
    });

    test('every numeric parameter has a minimum and a maximum, and a value outside them or not whole is 400 naming it', async () => {
      const numeric = numericParameters(ops);
      assert.ok(
        numeric.some((p) => p.op.path === '/v2/accounts/{id}/transactions' && p.name === 'page'),
        'the transactions page is among them',
      );
      const unbounded = numeric
        .filter((p) => typeof p.schema.minimum !== 'number' || typeof p.schema.maximum !== 'number')
        .map((p) => `${p.op.method} ${p.op.path} ${p.where}.${p.name}`);
      assert.deepEqual(unbounded, [], 'numbers with no explicit minimum and maximum');

      // A fresh account: the hostile requests above may have unlinked the first one.
      const account = await link(server, key, 'user_good');
      const failures: string[] = [];
      for (const { op, where, name, schema } of numeric) {
        for (const raw of BOUNDARY_NUMBERS) {
          const value = Number(raw);
          const fits = Number.isFinite(value) && value >= schema.minimum && value <= schema.maximum && (schema.type !== 'integer' || Number.isInteger(value));
          const path = op.path.replace('{id}', account);
          const res =
            where === 'query'
              ? await call(server.url, op.method, `${path}?${name}=${raw}`, { key })
              : where === 'path'
                ? await call(server.url, op.method, op.path.replace(`{${name}}`, raw).replace('{id}', account), { key })
                : await call(server.url, op.method, path, { key, raw: `{"${name}":${raw}}`, headers: { 'content-type': 'application/json' } });
          const named = `${where === 'path' ? 'params' : where}.${name}`;
          const label = `${op.method} ${op.path} ${named}=${raw} → ${res.status}`;
          if (res.status >= 500) failures.push(`${label}: ${res.text.slice(0, 200)}`);
          else if (!fits && (res.status !== 400 || res.body?.code !== 'INVALID_INPUT' || (where !== 'body' && !res.body.message.includes(named)))) {
            failures.push(`${label} should be 400 INVALID_INPUT naming ${named}: ${res.text.slice(0, 200)}`);
          } else if (fits && res.status >= 400 && where !== 'body') failures.push(`${label} is in range but refused: ${res.text.slice(0, 200)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}

/** Huge, negative, fractional, beyond 2^53 (rounds to 2^53 as a double), negative zero, and beyond a double. */
const BOUNDARY_NUMBERS = ['1e20', '-1', '1.5', '9007199254740993', '-0', '1e400'];

/** Every parameter /openapi.json types as a number: query and path parameters, and top-level body fields. */
function numericParameters(ops: Operation[]) {
  const isNumber = (schema: any) => schema?.type === 'integer' || schema?.type === 'number';
  const found: { op: Operation; where: 'query' | 'path' | 'body'; name: string; schema: any }[] = [];
  for (const op of ops) {
    for (const p of op.parameters)
      if (isNumber(p.schema) && (p.in === 'query' || p.in === 'path')) found.push({ op, where: p.in, name: p.name, schema: p.schema });
    for (const [name, schema] of Object.entries<any>(op.body?.properties ?? {})) if (isNumber(schema)) found.push({ op, where: 'body', name, schema });
  }
  return found;
}

function judge(res: { status: number; headers: Headers; body: any; text: string }): string | undefined {
  if (res.status >= 500) return '5xx';
  if (!res.headers.get('x-request-id')) return 'no x-request-id';
  // The Connect widget's pages answer a person in HTML, errors included; the API answers JSON.
  if (res.headers.get('content-type')?.startsWith('text/html')) return undefined;
  if (res.text !== '' && res.body === undefined) return 'not JSON';
  if (res.status >= 400) {
    if (res.body?.status !== 'failed' && res.body?.status !== res.status) return 'not a failure envelope';
    if (!isErrorCode(res.body.code)) return `code ${res.body?.code} not in the catalogue`;
  }
  return undefined;
}

function build(op: Operation, random: ReturnType<typeof prng>, key: string, real: Record<string, string>) {
  const headers: Record<string, string> = { 'mono-sec-key': key };
  const id = random.next() < 0.3 ? random.pick(Object.values(real)) : random.pick(PATH_IDS);
  let path = op.path.replace('{id}', id);

  const query = op.parameters.filter((p) => p.in === 'query');
  const pairs: string[] = [];
  for (const param of query) if (random.next() < 0.5) pairs.push(`${param.name}=${random.pick(QUERY_VALUES)}`);
  if (random.next() < 0.2) pairs.push(`${random.pick(query)?.name ?? 'x'}=1&${random.pick(query)?.name ?? 'x'}=2`);
  if (random.next() < 0.1) pairs.push('a[b][c]=1', '__proto__[polluted]=1');
  if (pairs.length > 0) path += `?${pairs.join('&')}`;

  if (random.next() < 0.5) headers['idempotency-key'] = random.pick(HEADER_VALUES) || 'k';
  if (random.next() < 0.5) headers['x-session-id'] = random.next() < 0.5 ? real.session! : random.pick(HEADER_VALUES);
  if (random.next() < 0.2) headers['x-request-id'] = random.pick(HEADER_VALUES);
  if (random.next() < 0.1) headers['mono-sec-key'] = random.pick(HEADER_VALUES);

  let raw: string | undefined;
  if (op.method !== 'GET') {
    const roll = random.next();
    if (roll < 0.3) raw = random.pick(RAW_BODIES);
    else if (roll < 0.9) raw = JSON.stringify(mutate(op.body, random));
    headers['content-type'] = random.next() < 0.7 ? 'application/json' : random.pick(CONTENT_TYPES);
    if (headers['content-type'] === '') delete headers['content-type'];
  }
  return { path, headers, raw };
}

/** A body shaped like the schema with some values replaced by hostile ones, or fields added or dropped. */
function mutate(schema: any, random: ReturnType<typeof prng>): unknown {
  const properties: Record<string, any> = schema?.properties ?? { username: {}, password: {}, otp: {}, account: {}, accountNumber: {} };
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const roll = random.next();
    if (roll < 0.15) continue;
    body[name] = roll < 0.6 ? random.pick(HOSTILE_VALUES) : plausible(property, random);
  }
  if (random.next() < 0.2) body[random.pick(['extra', '__proto__', 'constructor', 'prototype', ''])] = random.pick(HOSTILE_VALUES);
  return body;
}

function plausible(schema: any, random: ReturnType<typeof prng>): unknown {
  if (Array.isArray(schema?.enum)) return random.pick(schema.enum);
  if (schema?.type === 'object') return mutate(schema, random);
  if (schema?.type === 'integer' || schema?.type === 'number') return random.pick([0, 1, 7, 99]);
  return random.pick(['5f2d08be60b92e2888287000', 'internet_banking', 'financial_data', 'user_good', 'pass_good', '12345', 'http://127.0.0.1:9/hooks']);
}
