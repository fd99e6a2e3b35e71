// Attack and misdirection through the logs: anyone could fill the error log with false
// "dependency unavailable" alarms by hanging up mid-body; error codes an operator needs
// (ECONNRESET, SQLITE_BUSY) were hidden as "[redacted]"; secrets must never reach a log line.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/lib/logger.ts';
import { databases, startTestServer, type TestServer } from '../helpers.ts';
import { waitFor } from '../webhooks/support.ts';

test('an error keeps its code in the log; a one-time code or password elsewhere is still redacted', () => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  logger.error({ err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }, 'x');
  logger.error({ error: Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }) }, 'x');
  logger.info({ body: { code: 'code_abcdefghijklmnopqrstuvwx', password: 'hunter2' }, otp: { code: '12345' }, err: { code: 'code_abcdefghijklmnopqrstuvwx' } }, 'x');
  assert.equal(JSON.parse(lines[0]!).err.code, 'ECONNRESET');
  assert.equal(JSON.parse(lines[1]!).error.code, 'SQLITE_BUSY');
  assert.doesNotMatch(lines[2]!, /code_abc|hunter2|12345/);
});

for (const kind of databases()) {
  describe(`[${kind}] what the server logs`, () => {
    let server: TestServer;
    let key: string;
    before(async () => {
      // Debug: a request is logged as it arrives, which is how the test knows it is in flight.
      server = await startTestServer(kind, { logLevel: 'debug' });
      key = (await server.createApp()).secretKey;
    });
    after(() => server.stop());

    test('a client that hangs up mid-body is an info line, not an error or an outage', async () => {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(`POST /v2/connect/session HTTP/1.1\r\nHost: x\r\nmono-sec-key: ${key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"a":`);
      await waitFor(() => server.logs.some((l) => l.includes('"url":"/v2/connect/session"')), 5_000, 'the request to start');
      socket.destroy();
      await waitFor(() => server.logs.some((l) => l.includes('client closed the connection')), 5_000, 'the hang-up to be logged');
      const line = JSON.parse(server.logs.find((l) => l.includes('client closed the connection'))!);
      assert.equal(line.level, 30);
      assert.equal(line.errCode, 'ECONNRESET');
      assert.deepEqual(server.logs.filter((l) => JSON.parse(l).level >= 50), []);
      assert.ok(!server.logs.some((l) => l.includes(key)), 'the secret key is never logged');
    });
  });
}
