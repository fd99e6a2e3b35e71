// `relink serve --workers 2`: one primary, two worker processes on one port. Each request here
// goes on a connection of its own, which the primary hands to the workers in turn; a request id's
// first 48 bits are drawn once per process, so they tell which worker answered.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { describe, test } from 'node:test';
import { databases, link, setEndpoint, startReceiver, waitFor } from '@relink/testkit';
import { databaseVars, relink, Served, servedDatabase } from '../support/process.ts';

/** One request on a new connection: the status, the request id and the body. */
function fresh(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; requestId: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}${path}`, { agent: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (d: string) => (body += d));
      response.on('end', () => resolve({ status: response.statusCode!, requestId: String(response.headers['x-request-id']), body }));
    });
    request.on('error', reject);
  });
}

/** The process that answered: a request id's per-process part. */
const processOf = (requestId: string) => requestId.slice('req_'.length, 'req_'.length + 12);

/** The live worker processes under `pid` (not, say, a loader's esbuild), from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const worker = readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('relink.mjs');
      return Number(ppid) === pid && state !== 'Z' && worker ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

for (const kind of databases()) {
  describe(`[${kind}] relink serve --workers 2`, () => {
    const fixture = servedDatabase(kind);
    const start = (vars: Record<string, string> = {}) =>
      fixture.track(
        new Served(['serve', '--workers', '2', '--data', fixture.db.dataDir], {
          PORT: '0',
          RELINK_WEBHOOK_POLL_MS: '100',
          ...databaseVars(fixture.db),
          ...vars,
        }),
      );

    test('two workers answer on one port, one banner; limits and metrics count once for the server', async () => {
      const served = start({ RELINK_AUTH_FAILURES_PER_MINUTE: '6', RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE: '4' });
      const { url, key } = await served.sandbox();
      assert.equal(childrenOf(served.child.pid!).length, 2, 'two worker processes under the primary');
      assert.equal(served.stdout.match(/Relink is listening on/g)?.length, 1, 'the primary prints the banner once');

      const answers = await Promise.all(Array.from({ length: 8 }, () => fresh(url, '/v3/institutions', { 'mono-sec-key': key })));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.equal(new Set(answers.map((a) => processOf(a.requestId))).size, 2, 'both workers answered');

      // Six failed authentications a minute for the server, not for each worker: the seventh is refused.
      const failures = [];
      for (let i = 0; i < 7; i++) failures.push(await fresh(url, '/v3/institutions', { 'mono-sec-key': 'test_sk_wrong' }));
      assert.deepEqual(
        failures.map((f) => f.status),
        [401, 401, 401, 401, 401, 401, 429],
      );
      assert.equal(new Set(failures.map((f) => processOf(f.requestId))).size, 2, 'the failures reached both workers');

      // The demo page counts per address like the widget: four a minute for the server.
      const demo = [];
      for (let i = 0; i < 5; i++) demo.push((await fresh(url, '/connect/demo')).status);
      assert.deepEqual(demo, [200, 200, 200, 200, 429]);

      // A scrape, whichever worker takes it, sums every worker's counts.
      const metrics = (await fresh(url, '/metrics')).body;
      const count = (status: number) =>
        Number(
          metrics.match(
            new RegExp(`^relink_http_request_duration_seconds_count\\{method="GET",route="/v3/institutions",status="${status}"\\} (\\d+)$`, 'm'),
          )?.[1],
        );
      assert.equal(count(200), 8, metrics);
      assert.equal(count(401), 6);
      assert.match(metrics, /^relink_rate_limited_total\{limit="auth_failures"\} 1$/m);
      assert.match(metrics, /^relink_webhook_backlog_deliveries\{state="pending"\} 0$/m, 'the backlog is read once, not once per worker');
      assert.deepEqual(await served.stop(), { code: 0, signal: null }, served.stdout + served.stderr);
    });

    test('a link across both workers: each webhook is delivered once; a worker killed is replaced; SIGTERM stops every worker', async () => {
      const created = await relink(['apps', 'create', '--name', 'Workers', '--json', '--data', fixture.db.dataDir], databaseVars(fixture.db));
      const { secretKey: key } = JSON.parse(created.stdout);
      const served = start();
      const url = await served.listening();
      const receiver = await startReceiver();
      try {
        await setEndpoint({ url }, key, receiver.url);
        const account = await link({ url }, key, 'user_good');
        // account_connected, then account_updated once the first sync is done: each once, though both workers dispatch.
        await waitFor(() => receiver.received.some((r) => JSON.parse(r.body).event === 'mono.events.account_updated'), 20_000, 'account_updated delivered');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        // The app's only account: every delivery is one of its events; each event id arrives once.
        const events = receiver.received.map((r) => JSON.parse(r.body));
        const ids = receiver.received.map((r) => r.headers['webhook-id']);
        assert.equal(new Set(ids).size, ids.length, `each event once: ${events.map((e) => e.event).join(', ')}`);
        assert.ok(
          events.some((e) => e.event === 'mono.events.account_connected' && JSON.stringify(e).includes(account)),
          events.map((e) => e.event).join(', '),
        );

        const [first, second] = childrenOf(served.child.pid!);
        process.kill(first!, 'SIGKILL');
        await served.waitFor(/a worker exited; starting another/);
        await waitFor(() => childrenOf(served.child.pid!).length === 2 && !childrenOf(served.child.pid!).includes(first!), 20_000, 'a new worker');
        assert.equal((await fresh(url, '/v3/institutions', { 'mono-sec-key': key })).status, 200);

        const workers = childrenOf(served.child.pid!);
        assert.ok(workers.includes(second!));
        assert.deepEqual(await served.stop(), { code: 0, signal: null }, served.stdout + served.stderr);
        assert.deepEqual(
          workers.filter((pid) => {
            try {
              process.kill(pid, 0);
              return true;
            } catch {
              return false;
            }
          }),
          [],
          'no worker outlives the primary',
        );
      } finally {
        await receiver.close();
      }
    });
  });
}
