// `relink serve`'s log lines as a person at a terminal sees them (pretty) and as a log collector
// reads them (JSON); LOG_FORMAT forces either.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, databases } from '@relink/testkit';
import { databaseVars, Served, servedDatabase } from '../support/process.ts';

for (const kind of databases().slice(0, 1)) {
  describe(`[${kind}] log format`, () => {
    const fixture = servedDatabase(kind);
    const serve = (vars: Record<string, string>, terminal: boolean) =>
      fixture.track(new Served(['serve', '--data', fixture.db.dataDir], { PORT: '0', ...databaseVars(fixture.db), ...vars }, terminal));
    /** Starts, makes one request, stops; what the process wrote (on a terminal, stderr included). */
    const oneRequest = async (vars: Record<string, string>, terminal: boolean) => {
      const served = serve(vars, terminal);
      const url = await served.listening();
      const res = await call(url, 'GET', '/health');
      await served.waitFor(/GET \/health → |"url":"\/health"/);
      assert.deepEqual(await served.stop(), { code: 0, signal: null }, served.stdout + served.stderr);
      return { out: served.stdout, reqId: res.headers.get('x-request-id')! };
    };

    test('on a terminal: one readable line per request, no JSON; the banner reads clean', async () => {
      const { out, reqId } = await oneRequest({}, true);
      assert.match(out, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  GET /health → 200 in \\d+ ms reqId=${reqId}$`, 'm'));
      assert.doesNotMatch(out, /\{"level"/, 'no JSON line on the terminal');
      assert.match(out, /INFO {2}shutting down: finishing in-flight requests signal=SIGINT/);
    });

    test('LOG_FORMAT=json on a terminal, and the default through a pipe, write JSON lines', async () => {
      const forced = await oneRequest({ LOG_FORMAT: 'json' }, true);
      const line = forced.out.split('\n').find((l) => l.includes(forced.reqId) && l.includes('"msg":"request"'));
      assert.ok(line, forced.out);
      assert.equal(JSON.parse(line).url, '/health');
      const piped = await oneRequest({}, false);
      assert.ok(
        piped.out.split('\n').some((l) => l.startsWith('{') && JSON.parse(l).reqId === piped.reqId),
        piped.out,
      );
    });

    test('LOG_FORMAT=pretty through a pipe writes readable lines', async () => {
      const { out, reqId } = await oneRequest({ LOG_FORMAT: 'pretty' }, false);
      assert.match(out, new RegExp(`INFO  GET /health → 200 in \\d+ ms reqId=${reqId}\\n`));
      assert.doesNotMatch(out, /\{"level"/);
    });
  });
}
