// The pretty log format a person reads at a terminal: made from the line pino has already
// redacted, so it shows nothing the JSON would not; a request is one short line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, prettyLine } from '../../src/lib/logger.ts';

const lines = () => {
  const written: string[] = [];
  return { written, destination: { write: (line: string) => void written.push(line) } };
};

test('a request line reads as method, URL, status and time; other fields as name=value', () => {
  const { written, destination } = lines();
  const logger = createLogger('info', destination, 'pretty');
  logger.info({ reqId: 'req_1a2b', method: 'GET', url: '/v3/institutions', status: 200, ms: 3 }, 'request');
  logger.warn({ path: '/var/lib/relink db' }, 'another user owns this path');
  assert.match(written[0]!, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}GET \/v3\/institutions → 200 in 3 ms reqId=req_1a2b\n$/);
  assert.match(written[1]!, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}another user owns this path path="\/var\/lib\/relink db"\n$/);
  assert.doesNotMatch(written.join(''), /"level"|"msg"|service/);
});

test('the pretty format keeps the redaction: a password, a code and an email never show', () => {
  const { written, destination } = lines();
  const logger = createLogger('debug', destination, 'pretty');
  logger.info({ body: { password: 'hunter2', code: 'code_abcdefghijklmnopqrstuvwx' }, email: 'ada@example.com', reqId: 'req_9' }, 'x');
  assert.doesNotMatch(written[0]!, /hunter2|code_abc|ada@example\.com/);
  assert.match(written[0]!, /\[redacted\]/);
});

test('an error shows its code and message on the line and its stack below, indented', () => {
  const { written, destination } = lines();
  const logger = createLogger('info', destination, 'pretty');
  logger.error({ reqId: 'req_2', err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }, 'dependency unavailable');
  const [first, ...stack] = written[0]!.trimEnd().split('\n');
  assert.match(first!, /ERROR dependency unavailable reqId=req_2 err=\{"type":"Error","message":"read ECONNRESET",.*"code":"ECONNRESET"\}$/);
  assert.ok(stack.length > 1 && stack.every((l) => l.startsWith('    ')), written[0]);
  assert.match(stack[0]!, /^ {4}Error: read ECONNRESET$/);
});

test('json stays one JSON object a line; anything not JSON passes through the pretty format as it is', () => {
  const { written, destination } = lines();
  createLogger('info', destination, 'json').info({ reqId: 'req_3' }, 'hello');
  assert.equal(JSON.parse(written[0]!).msg, 'hello');
  assert.equal(prettyLine('not json\n'), 'not json\n');
});
