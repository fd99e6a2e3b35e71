// Attack (and accident): a hosted link is the credential the partner sent one user, to be used
// once. Started several times before any finished (the page open in three tabs, or by someone
// else who saw the link), it gave each start a session, and each session a code and a redirect.
// A link now holds one live session: a newer start replaces the older one (a reload must not
// lock the user out), concurrent starts leave exactly one, a session caught mid-step by a newer
// start cannot complete, and once a session completes the link is used: no new session starts,
// and there is only ever one code and one redirect. For auth links and reauth links alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  databases,
  type HttpResult,
  startTestServer,
  type TestServer,
  CountingBank,
  OTP,
  PASSWORD,
  SANDBOX,
  link as linkAccount,
  settle,
  waitFor,
} from '@relink/testkit';
import { createConnectApp, type TestApp, widget } from '../support/widget.ts';

const N = 6;

for (const kind of databases()) {
  describe(`[${kind}] a hosted link: one live session, one completion`, () => {
    let server: TestServer;
    let bank: CountingBank;
    let app: TestApp;
    before(async () => {
      bank = new CountingBank();
      server = await startTestServer(kind, { logLevel: 'warn', connectors: [bank] });
      app = await createConnectApp(server, 'Hosted partner');
    });
    after(() => server.stop());

    let refs = 0;
    /** A new hosted link; its id and its reference (meta.ref). */
    const newLink = async (body: Record<string, unknown> = { scope: 'auth', customer: { name: 'Ada Obi', email: 'ada@example.com' } }) => {
      const ref = `once-${++refs}`;
      const res = await call(server.url, 'POST', '/v2/accounts/initiate', {
        key: app.secretKey,
        body: { ...body, meta: { ref }, redirect_url: 'https://partner.example/back' },
      });
      assert.equal(res.status, 200, res.text);
      return { id: new URL(res.body.data.mono_url).pathname.split('/').pop()!, ref };
    };
    const start = (link: string) => widget(server, app.publicKey, 'session', { institution: SANDBOX, auth_method: 'internet_banking', link });
    const login = (session: string, username = 'user_good') => widget(server, app.publicKey, 'login', { username, password: PASSWORD }, session);
    const commit = (session: string) => widget(server, app.publicKey, 'commit', { otp: OTP }, session);
    /** account_connected events carrying this link's reference: one per completed link. */
    const completions = async (ref: string) => {
      const rows = await server.services.database.db
        .selectFrom('events')
        .select('body')
        .where('app_id', '=', app.id)
        .where('type', '=', 'mono.events.account_connected')
        .execute();
      return rows.map((r) => JSON.parse(r.body)).filter((e) => e.data?.meta?.ref === ref).length;
    };
    /** account_reauthorized events of an account: one per completed re-authorisation. */
    const reauthorisations = async (account: string) =>
      (
        await server.services.database.db
          .selectFrom('events')
          .select('id')
          .where('account_id', '=', account)
          .where('type', '=', 'mono.events.account_reauthorized')
          .execute()
      ).length;
    const sessionOf = (res: HttpResult) => res.body.data.session.id as string;
    const assertUsed = (res: HttpResult) => {
      assert.equal(res.status, 410, res.text);
      assert.equal(res.body.code, 'LINK_USED');
      assert.match(res.body.message, /already used/);
      assert.match(res.body.message, /new link/);
    };
    const assertOneWinner = (replies: HttpResult[]) => {
      const won = replies.filter((r) => r.body.responseCode === 99);
      assert.equal(won.length, 1, replies.map((r) => r.text).join('\n'));
      assert.ok(won[0]!.body.data.redirect_url, 'the winner has the redirect');
      for (const r of replies.filter((x) => x !== won[0])) assert.ok(!/code_/.test(r.text) && !/redirect_url/.test(r.text), r.text);
      return won[0]!;
    };

    test(`${N} concurrent starts, then every session logs in at once: exactly one code and one redirect`, async () => {
      const { id, ref } = await newLink();
      const started = await Promise.all(Array.from({ length: N }, () => start(id)));
      const sessions = started.filter((r) => r.status === 200).map(sessionOf);
      assert.ok(sessions.length >= 1, started.map((r) => r.text).join('\n'));
      for (const r of started.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 409, r.text);
        assert.equal(r.body.code, 'LINK_BUSY');
      }
      const replies = await Promise.all(sessions.map((s) => login(s)));
      const won = assertOneWinner(replies);
      for (const r of replies.filter((x) => x !== won)) assert.equal(r.body.code, 'SESSION_CANCELLED', r.text);
      assert.equal(await completions(ref), 1);
      assertUsed(await start(id));
      assert.equal((await call(server.url, 'GET', `/connect/link/${id}`)).status, 410);
    });

    test('a reload replaces the older session: the older page is told so, the newer one links, then the link is used', async () => {
      const { id, ref } = await newLink();
      const first = sessionOf(await start(id));
      assert.equal((await login(first, 'user_otp')).body.responseCode, 102);
      const reloaded = await start(id);
      assert.equal(reloaded.status, 200, `a reload is not locked out: ${reloaded.text}`);
      const second = sessionOf(reloaded);
      const stale = await commit(first);
      assert.equal(stale.status, 409, stale.text);
      assert.equal(stale.body.code, 'SESSION_CANCELLED');
      assert.match(stale.body.message, /opened again/);
      assert.equal(stale.body.sessionOpen, false);
      assert.equal((await login(second, 'user_otp')).body.responseCode, 102);
      assertOneWinner([await commit(second)]);
      assert.equal((await commit(first)).body.code, 'SESSION_CANCELLED', 'the older session still cannot finish');
      assertUsed(await start(id));
      assert.equal(await completions(ref), 1);
    });

    test('a session caught mid-step at the bank by a newer start cannot complete: its step writes nothing', async () => {
      const { id, ref } = await newLink();
      const first = sessionOf(await start(id));
      assert.equal((await login(first, 'user_otp')).body.responseCode, 102);
      bank.delayMs = 400;
      try {
        const answers = bank.calls.answer;
        const inFlight = commit(first);
        await waitFor(() => bank.calls.answer > answers, 5_000, 'the commit to reach the bank');
        const second = sessionOf(await start(id));
        const late = await inFlight;
        assert.notEqual(late.body.responseCode, 99, late.text);
        assert.ok(['SESSION_CANCELLED', 'SESSION_BUSY'].includes(late.body.code), late.text);
        assert.equal(await completions(ref), 0, 'the rolled-back step linked nothing');
        bank.delayMs = 0;
        assert.equal((await login(second, 'user_otp')).body.responseCode, 102);
        assertOneWinner([await commit(second)]);
      } finally {
        bank.delayMs = 0;
      }
      assert.equal(await completions(ref), 1);
    });

    test(`a reauth link: a reload replaces the older session (and frees the account); ${N} concurrent starts give one code and one redirect; then the link is used`, async () => {
      const account = await linkAccount(server, app.secretKey, 'user_otp', { customer: { name: 'Reauth Once', email: 'reauth-once@example.com' } });
      await settle(server);
      const reauthLink = async () => {
        const reset = await call(server.url, 'POST', `/v2/sandbox/accounts/${account}/reset-login`, { key: app.secretKey, body: { reason: 'mfa_required' } });
        assert.equal(reset.status, 200, reset.text);
        return newLink({ scope: 'reauth', account });
      };
      const reauth = (link: string) => widget(server, app.publicKey, 'reauth', { link });

      const before = await reauthorisations(account);
      const reload = await reauthLink();
      const first = await reauth(reload.id);
      assert.equal(first.body.responseCode, 102, first.text);
      const second = await reauth(reload.id);
      assert.equal(second.body.responseCode, 102, `a reload is not locked out by the older session's hold on the account: ${second.text}`);
      assert.equal((await commit(sessionOf(first))).body.code, 'SESSION_CANCELLED');
      assertOneWinner([await commit(sessionOf(second))]);
      assertUsed(await reauth(reload.id));
      assert.equal(await reauthorisations(account), before + 1);

      const raced = await reauthLink();
      const started = await Promise.all(Array.from({ length: N }, () => reauth(raced.id)));
      const sessions = started.filter((r) => r.status === 200).map(sessionOf);
      assert.ok(sessions.length >= 1, started.map((r) => r.text).join('\n'));
      for (const r of started.filter((x) => x.status !== 200)) assert.ok(['LINK_BUSY', 'REAUTH_IN_PROGRESS'].includes(r.body.code), r.text);
      assertOneWinner(await Promise.all(sessions.map((s) => commit(s))));
      assertUsed(await reauth(raced.id));
      assert.equal(await reauthorisations(account), before + 2);
    });
  });
}
