// A code says which bank account, not whose: an attacker signed in as themselves who posts a code
// for someone else's account (a link code, or a reauth code Relink's widget handed out for a
// victim's account id), or puts the victim's ids in their own forms and URLs, gets nothing of it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databases, waitFor } from '@relink/testkit';
import { linkCode, linkThroughApi, reauthCode, relinkCall, settled, startStack, type Stack, type Visitor } from './support.ts';

for (const kind of databases()) {
  describe(`[${kind}] Kudi Lend: one user's codes and ids never reach another's account`, () => {
    let stack: Stack;
    /** Ada, the victim, and her account. */
    let ada: string;
    let adaNumber: string;
    /** Tunde, the attacker, signed in as himself, and his own account. */
    let tunde: Visitor;
    let tundeAccount: string;
    let tundeNumber: string;
    const ADA = { name: 'Ada Obi', email: 'ada@example.com' };

    const row = (user: string) => stack.partner.db.users.get(user)!;
    const numberOf = async (account: string) => (await relinkCall(stack, 'GET', `/v2/accounts/${account}`)).body.data.account.account_number as string;
    const relinkMeta = async (account: string) => (await relinkCall(stack, 'GET', `/v2/accounts/${account}`)).body.data.meta as { reauth_required: boolean };
    const last4 = (number: string) => number.slice(-4);
    /** What the attacker's dashboard shows: his own account and never Ada's. */
    const assertTundeSeesOnlyHisOwn = async () => {
      const home = (await tunde.send('GET', '/')).text;
      assert.match(home, new RegExp(`•••• ${last4(tundeNumber)}`));
      assert.doesNotMatch(home, new RegExp(`•••• ${last4(adaNumber)}`));
    };

    before(async () => {
      stack = await startStack(kind);
      ({ accountId: ada } = await linkThroughApi(stack, 'ada', 'user_otp+ada'));
      ({ visitor: tunde, accountId: tundeAccount } = await linkThroughApi(stack, 'tunde', 'user_otp+tunde'));
      adaNumber = await numberOf(ada);
      tundeNumber = await numberOf(tundeAccount);
      assert.notEqual(last4(adaNumber), last4(tundeNumber), 'the two accounts can be told apart on a page');
    });
    after(async () => stack?.stop());

    test("Ada's ids in Tunde's forms and URLs reach only Tunde's own account; no page carries a Relink account id", async () => {
      const smuggled = { account: ada, account_id: ada, accountId: ada, user: 'ada' };
      const query = `?${new URLSearchParams(smuggled)}`;
      for (const path of ['/', `/${query}`, `/panel${query}`]) {
        const page = (await tunde.send('GET', path)).text;
        assert.match(page, new RegExp(`•••• ${last4(tundeNumber)}`), path);
        assert.doesNotMatch(page, new RegExp(`•••• ${last4(adaNumber)}`), path);
        assert.ok(!page.includes(ada) && !page.includes(tundeAccount), `${path} carries no Relink account id`);
      }

      // The sandbox control: Tunde's account needs re-authorisation, Ada's does not.
      const reset = await tunde.send('POST', `/sandbox/reset-login${query}`, { form: { reason: 'mfa_required', ...smuggled } });
      assert.equal(reset.status, 303);
      assert.equal((await relinkMeta(tundeAccount)).reauth_required, true);
      assert.equal((await relinkMeta(ada)).reauth_required, false);
      await waitFor(() => row('tunde').reauthRequired, 5_000, "Tunde's banner");
      assert.equal(row('ada').reauthRequired, false);

      // Reconnect without the widget: the attempt is Tunde's; its code is his account's, so it heals his.
      const started = await tunde.send('POST', `/reconnect/start${query}`, { form: smuggled });
      assert.equal(started.location, '/reconnect');
      const done = await tunde.send('POST', `/reconnect${query}`, { form: { otp: '12345', ...smuggled } });
      assert.equal(done.location, '/', done.text);
      assert.equal(row('tunde').reauthRequired, false);
      assert.equal(row('tunde').accountId, tundeAccount);
      assert.equal(row('ada').accountId, ada);

      // The widget's reauth token is for Tunde's account: spent as connect.js would, its code exchanges to his id.
      await settled(stack, tundeAccount);
      const issued = await tunde.send('POST', `/reconnect/token${query}`, { json: smuggled });
      assert.equal(issued.status, 200, issued.text);
      const { token } = JSON.parse(issued.text) as { token: string };
      const session = await relinkCall(stack, 'POST', '/v1/connect/session', { reauth_token: token });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      let code: string = session.body.reauth.code;
      if (session.body.reauth.response_code === 102) {
        const commit = await fetch(`${stack.relink.url}/v1/connect/commit`, {
          method: 'POST',
          headers: { 'mono-sec-key': stack.secretKey, 'x-session-id': session.body.id, 'content-type': 'application/json' },
          body: JSON.stringify({ otp: '12345' }),
        });
        code = ((await commit.json()) as { data: { code: string } }).data.code;
      }
      assert.equal((await relinkCall(stack, 'POST', '/v2/accounts/auth', { code })).body.data.id, tundeAccount);
    });

    test("a link code for Ada's account, posted by Tunde: refused with a message; nothing attached, Ada keeps it", async () => {
      const code = await linkCode(stack, ADA, 'user_otp+ada');
      const posted = await tunde.send('POST', '/link/code', { json: { code } });
      assert.equal(posted.status, 409, posted.text);
      assert.match(JSON.parse(posted.text).message, /already linked to another Kudi Lend profile/);
      assert.equal(row('tunde').accountId, tundeAccount, "Tunde's own account is not replaced");
      assert.equal(row('ada').accountId, ada);
      await assertTundeSeesOnlyHisOwn();
    });

    test("a reauth code for Ada's account: refused at Tunde's reconnect and at his link; his account and its flag unchanged", async () => {
      await settled(stack, tundeAccount);
      assert.equal(
        (await relinkCall(stack, 'POST', `/v2/sandbox/accounts/${tundeAccount}/reset-login`, { reason: 'mfa_required' })).body.data.reauth_required,
        true,
      );
      await waitFor(() => row('tunde').reauthRequired, 5_000, "Tunde's banner");

      const reconnected = await tunde.send('POST', '/reconnect/code', { json: { code: await reauthCode(stack, ada) } });
      assert.equal(reconnected.status, 400, reconnected.text);
      assert.match(JSON.parse(reconnected.text).message, /another bank account than the one you linked/);
      assert.deepEqual([row('tunde').accountId, row('tunde').reauthRequired], [tundeAccount, true]);
      assert.equal(row('ada').accountId, ada);

      const linked = await tunde.send('POST', '/link/code', { json: { code: await reauthCode(stack, ada) } });
      assert.equal(linked.status, 409, linked.text);
      assert.deepEqual([row('tunde').accountId, row('tunde').reauthRequired], [tundeAccount, true]);
      assert.equal(row('ada').accountId, ada);
      assert.equal((await relinkMeta(tundeAccount)).reauth_required, true, "nothing reached Relink for Tunde's account either");
      await assertTundeSeesOnlyHisOwn();
    });

    test('an account Ada linked and then replaced with another is still hers: its code attaches to no one else', async () => {
      const { accountId: adaNow } = await linkThroughApi(stack, 'ada', 'user_good+ada');
      assert.notEqual(adaNow, ada);
      const posted = await tunde.send('POST', '/link/code', { json: { code: await linkCode(stack, ADA, 'user_otp+ada') } });
      assert.equal(posted.status, 409, posted.text);
      assert.equal(row('tunde').accountId, tundeAccount);
      assert.equal(row('ada').accountId, adaNow);
      await assertTundeSeesOnlyHisOwn();
    });
  });
}
