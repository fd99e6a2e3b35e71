// Each webhook adapter (node:http, Express, Fastify) mounted in its own framework on loopback,
// receiving real signed deliveries from Relink: a good one reaches the handler as a typed event;
// a forged or unsigned one is 401 and never does; a handler that throws is 500, which Relink
// records as a failed attempt (and retries on its schedule; here the event is replayed).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { databases, type TestServer, link, partner, settle, waitFor, startReauthServer } from '@relink/testkit';
import { type RelinkEvent, expressWebhookHandler, fastifyRawJson, fastifyWebhookHandler, nodeWebhookHandler } from '../src/index.ts';

type Handle = (event: RelinkEvent) => Promise<void>;
interface Endpoint {
  url: string;
  close(): Promise<void>;
}

/** Starts `framework` on 127.0.0.1 with its adapter at /hooks, verifying with the secret `secret()` returns at the time. */
async function mount(framework: 'node' | 'express' | 'fastify', secret: () => string, handle: Handle): Promise<Endpoint> {
  const options = () => ({ secret: secret(), allowSecretHeader: false });
  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(async (scope) => {
      fastifyRawJson(scope);
      scope.post('/hooks', (request, reply) => fastifyWebhookHandler(options(), handle)(request, reply));
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `${address}/hooks`, close: () => app.close() };
  }
  let server: Server;
  if (framework === 'express') {
    const app = express();
    app.post('/hooks', express.raw({ type: 'application/json' }), (req, res) => expressWebhookHandler(options(), handle)(req, res));
    server = createServer(app);
  } else {
    server = createServer((req, res) => nodeWebhookHandler(options(), handle)(req, res));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

for (const kind of databases()) {
  describe(`[${kind}] SDK webhook adapters in node:http, Express and Fastify`, () => {
    let server: TestServer;
    let key: string;
    let account: string;
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('Adapter partner')).secretKey;
      account = await link(server, key, 'user_good');
      // The link's first data sync records account_updated; finished now, it cannot reach an
      // endpoint mounted below and take the failure a test means for the event it fires.
      await settle(server);
    });
    after(() => server.stop());

    for (const framework of ['node', 'express', 'fastify'] as const) {
      test(`${framework}: a signed delivery reaches the handler; a forged one is 401; a throwing handler is 500, recorded as a failed attempt`, async () => {
        const relink = partner(server, key);
        const heard: RelinkEvent[] = [];
        let failNext = false;
        let secret = '';
        const endpoint = await mount(
          framework,
          () => secret,
          async (event) => {
            if (failNext) {
              failNext = false;
              throw new Error('the partner database is down');
            }
            heard.push(event);
          },
        );
        try {
          secret = (await relink.webhooks.setEndpoint(endpoint.url)).webhook_secret;
          const fired = await relink.sandbox.fire({ event: 'mono.events.reauthorisation_required', account });
          await waitFor(() => heard.some((e) => e.event_id === fired.event_id), 10_000, `the event at the ${framework} endpoint`);
          const event = heard.find((e) => e.event_id === fired.event_id)!;
          assert.equal(event.event, 'mono.events.reauthorisation_required');
          if (event.event === 'mono.events.reauthorisation_required') assert.equal(event.data.account._id, account);

          const body = JSON.stringify({
            event: 'mono.events.account_reauthorized',
            event_id: 'evt_forged',
            timestamp: new Date().toISOString(),
            data: { account: { _id: account } },
          });
          const now = String(Math.floor(Date.now() / 1000));
          for (const headers of [
            { 'webhook-id': 'evt_forged', 'webhook-timestamp': now, 'webhook-signature': 'v1,Zm9yZ2Vk' },
            { 'mono-webhook-secret': secret },
            {},
          ]) {
            const forged = await fetch(endpoint.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...(headers as Record<string, string>) },
              body,
            });
            assert.equal(forged.status, 401, JSON.stringify(headers));
          }
          assert.ok(!heard.some((e) => e.event_id === 'evt_forged'), 'a forged event never reaches the handler');

          failNext = true;
          const retried = await relink.sandbox.fire({ event: 'mono.events.account_updated', account });
          await waitFor(async () => (await relink.webhooks.delivery(retried.delivery_id!)).attempts.length >= 1, 10_000, 'the failed attempt');
          const first = (await relink.webhooks.delivery(retried.delivery_id!)).attempts[0]!;
          assert.equal(first.status_code, 500);
          await relink.webhooks.replayEvent(retried.event_id);
          await waitFor(() => heard.some((e) => e.event_id === retried.event_id), 10_000, 'the event, delivered again');
        } finally {
          await endpoint.close();
        }
      });
    }
  });
}
