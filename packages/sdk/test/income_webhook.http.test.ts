// The income webhook as a partner's code receives it with the SDK: `accounts.income` asks for the
// analysis, the SDK's node:http adapter verifies the delivery, and the event is typed by its name,
// so `data` reads as the analysis without a cast.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { databases, link, partner, setEndpoint, settle, startTestServer, type TestServer, waitFor } from '@relink/testkit';
import { type EventData, type Relink, type RelinkEvent, accountOf, nodeWebhookHandler } from '../src/index.ts';

for (const kind of databases()) {
  describe(`[${kind}] SDK: mono.events.account_income`, () => {
    let server: TestServer;
    let endpoint: Server;
    let relink: Relink;
    let id: string;
    const heard: RelinkEvent[] = [];
    before(async () => {
      server = await startTestServer(kind, { logLevel: 'warn' });
      const app = await server.createApp('SDK lender');
      relink = partner(server, app.secretKey);
      let secret = '';
      endpoint = createServer((req, res) => nodeWebhookHandler({ secret, allowSecretHeader: false }, (event) => void heard.push(event))(req, res));
      await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
      secret = await setEndpoint(server, app.secretKey, `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`);
      id = await link(server, app.secretKey, 'user_salary');
      await settle(server);
    });
    after(async () => {
      await server.stop();
      endpoint.closeAllConnections();
      await new Promise((resolve) => endpoint.close(resolve));
    });

    test('accounts.income, then the verified event carries the same analysis, typed', async () => {
      const { data: income, meta } = await relink.accounts.income(id, { period: 12 });
      const incomeEvents = () => heard.filter((e) => e.event === 'mono.events.account_income');
      await waitFor(() => incomeEvents().length === 1, 10_000, 'the income webhook');
      const [event] = incomeEvents();
      assert.ok(event && event.event === 'mono.events.account_income');
      const data: EventData<'mono.events.account_income'> = event.data;
      assert.equal(accountOf(event), id);
      assert.deepEqual(
        [data.income_summary.employer, data.monthly_income, data.aggregated_monthly_average, data.period, data.meta],
        [income.income_summary.employer, income.monthly_income, income.aggregated_monthly_average, income.period, meta],
      );
      assert.deepEqual(data.income_streams, income.income_streams);
    });
  });
}
