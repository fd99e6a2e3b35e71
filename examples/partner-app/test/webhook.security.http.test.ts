// A forged `reauthorisation_required` would send a user to re-authorise for nothing, and a forged
// `account_reauthorized` would hide a real problem: the app's webhook acts only on deliveries
// signed by Relink with the secret it was given at start.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { databases, waitFor } from '@relink/testkit';
import { linkThroughApi, relinkCall, startStack, type Stack } from './support.ts';

for (const kind of databases()) {
  describe(`[${kind}] Kudi Lend's webhook`, () => {
    let stack: Stack;
    let accountId: string;
    before(async () => {
      stack = await startStack(kind);
      ({ accountId } = await linkThroughApi(stack, 'ada', 'user_good'));
    });
    after(async () => stack?.stop());

    const forge = (headers: Record<string, string>) => {
      const body = JSON.stringify({
        event: 'mono.events.reauthorisation_required',
        event_id: 'evt_forged',
        timestamp: new Date().toISOString(),
        data: { account: { _id: accountId } },
      });
      return fetch(`${stack.partner.url}/webhooks/relink`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => ({
        status: r.status,
        body,
      }));
    };

    test('unsigned, wrongly signed and stale deliveries are 401 and change nothing', async () => {
      assert.equal((await forge({})).status, 401);
      assert.equal((await forge({ 'mono-webhook-secret': 'whsec_guessed' })).status, 401);
      const now = Math.floor(Date.now() / 1000);
      const wrongKey = Buffer.alloc(24, 1).toString('base64');
      const body = JSON.stringify({
        event: 'mono.events.reauthorisation_required',
        event_id: 'evt_forged',
        timestamp: new Date().toISOString(),
        data: { account: { _id: accountId } },
      });
      const signature = createHmac('sha256', Buffer.from(wrongKey, 'base64')).update(`evt_forged.${now}.${body}`).digest('base64');
      const res = await fetch(`${stack.partner.url}/webhooks/relink`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': 'evt_forged', 'webhook-timestamp': String(now), 'webhook-signature': `v1,${signature}` },
        body,
      });
      assert.equal(res.status, 401);
      assert.equal(stack.partner.db.users.get('ada')!.reauthRequired, false);
    });

    test("Relink's own signed delivery of the same event is applied: the seed's columns change", async () => {
      const fired = await relinkCall(stack, 'POST', '/v2/sandbox/webhooks/fire', { event: 'mono.events.reauthorisation_required', account: accountId });
      assert.ok(fired.status < 300, JSON.stringify(fired.body));
      await waitFor(() => stack.partner.db.users.get('ada')!.reauthRequired, 5_000, 'the app to mark Ada for re-authorisation');
    });
  });
}
