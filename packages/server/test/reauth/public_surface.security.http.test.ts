/**
 * The public surface, attacked with what any visitor of a partner's page holds: the app's
 * public key (it sits in every page that opens the widget) and an account id (partner pages
 * and URLs show them). Each test opens with the attack it stops; docs/security.md has the
 * threat model. Everything goes through HTTP; the partner's secret key appears only where a
 * test shows what the owner can still do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  databases,
  type HttpResult,
  waitFor,
  exchange,
  OTP,
  PASSWORD,
  linkedAccount,
  reauthSession,
  type ReauthServer,
  resetLogin,
  startReauthServer,
  stepOn,
} from '@relink/testkit';
import { createConnectApp, type TestApp, widget } from '../support/widget.ts';
import { eventsOf } from '../support/linking.ts';
import { account, reauthToken } from '../support/reauth.ts';

const REFUSED = /^The bank did not accept these login details$/;

for (const kind of databases()) {
  describe(`[${kind}] the public surface: a public key and an account id`, () => {
    let server: ReauthServer;
    let app: TestApp;
    let tag = 0;
    /** A sandbox user of its own for each test: the bank-user caps never meet across tests. */
    const user = (scenario: string) => `${scenario}+ps${++tag}`;

    before(async () => {
      server = await startReauthServer(kind);
      app = await createConnectApp(server, 'Attacked partner');
    });
    after(() => server.stop());

    const attack = (path: string, body: unknown, session?: string) => widget(server, app.publicKey, path, body, session);
    const cancel = async (session: string) => {
      const res = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': session } });
      assert.equal(res.status, 200, res.text);
    };
    const reauthorised = async (id: string) => (await eventsOf(server, id, 'mono.events.account_reauthorized')).length;

    // Finding 1: the stored credentials logged in in the background and the widget handed the
    // code to whoever posted the account id, and the partner app attached it to them.
    test('a healthy account: the widget start answers a login form and no code; guesses never reach the bank', async () => {
      const username = user('user_good');
      const id = await linkedAccount(server, app.secretKey, username);
      const before = await reauthorised(id);
      const started = await attack('reauth', { account: id });
      assert.equal(started.status, 200, started.text);
      assert.equal(started.body.responseCode, 102);
      assert.equal(started.body.data.next, 'login');
      assert.equal(started.body.data.reason, 'confirm_login');
      assert.equal(started.body.data.code, undefined);
      assert.deepEqual(
        started.body.data.userInput.form.map((f: { name: string }) => f.name),
        ['username', 'password'],
      );
      assert.deepEqual(started.body.data.institution, { id: '5f2d08be60b92e2888287000', name: 'Relink Sandbox Bank' });
      const session = started.body.data.session.id;

      const logins = server.bank.calls.login;
      const guess = await attack('login', { username, password: 'guess1' }, session);
      assert.equal(guess.status, 400, guess.text);
      assert.equal(guess.body.code, 'BANK_LOGIN_FAILED');
      assert.match(guess.body.message, REFUSED);
      assert.equal(server.bank.calls.login, logins, 'the guess was not sent to the bank');
      assert.equal(await reauthorised(id), before, 'no account_reauthorized');

      // The person, typing the credentials the account holds, completes it: the bank is asked once.
      const person = await attack('reauth', { account: id });
      assert.equal(person.status, 200, person.text);
      const done = await attack('login', { username, password: PASSWORD }, person.body.data.session.id);
      assert.equal(done.body.responseCode, 99, done.text);
      assert.equal(server.bank.calls.login, logins + 2, 'the new start and the person’s login');
      assert.equal(await exchange(server, app.secretKey, done.body.data.code), id);
      assert.equal(await reauthorised(id), before + 1);
    });

    test('an account whose bank asks a challenge: the challenge goes to the person; the start holds no code', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const started = await attack('reauth', { account: id });
      assert.equal(started.body.responseCode, 102, started.text);
      assert.equal(started.body.data.next, 'commit');
      assert.equal(started.body.data.reason, 'challenge');
      assert.equal(started.body.data.code, undefined);
    });

    // The Partners API with the secret key keeps seed 003's background 99.
    test('the partner’s own start still completes in the background', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_good'));
      const res = await reauthSession(server, app.secretKey, id);
      assert.equal(res.body.data.responseCode, 99, res.text);
    });

    // Finding 8: a wrong username was answered BANK_USER_MISMATCH, free, and the right one
    // BANK_LOGIN_FAILED: a way to confirm an account's bank username.
    test('a wrong username and a wrong password answer alike, and both are counted', async () => {
      const username = user('user_good');
      const id = await linkedAccount(server, app.secretKey, username);
      const session = (await attack('reauth', { account: id })).body.data.session.id;
      const wrongUser = await attack('login', { username: `${username}x`, password: PASSWORD }, session);
      const wrongPassword = await attack('login', { username, password: 'nope' }, session);
      const strip = (res: HttpResult) => ({ ...res.body, timestamp: null });
      assert.equal(wrongUser.status, wrongPassword.status);
      assert.deepEqual(strip(wrongUser), strip(wrongPassword));
      // Both spent the public allowance of this bank user (2): a third is refused before anything.
      const third = await attack('login', { username, password: 'nope' }, session);
      assert.equal(third.status, 429, third.text);
      assert.equal(third.body.code, 'RATE_LIMITED');
      assert.ok(Number(third.headers.get('retry-after')) > 0);
    });

    // Finding 3: sessions whose login used the stored credentials were not attributed to the
    // bank user, so wrong OTPs through reauth sessions never hit the cap (12 reached the bank).
    test('wrong OTPs in re-authorisations count toward the bank user’s caps; the public share is capped, the owner keeps the rest', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const answers = server.bank.calls.answer;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = await attack('reauth', { account: id });
        if (started.status !== 200) {
          statuses.push(started.status);
          continue;
        }
        const res = await attack('commit', { otp: '00000' }, started.body.data.session.id);
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [400, 400, 400]);
      const fourth = await attack('reauth', { account: id });
      const refused = fourth.status === 200 ? await attack('commit', { otp: '00000' }, fourth.body.data.session.id) : fourth;
      assert.equal(refused.status, 429, refused.text);
      assert.equal(server.bank.calls.answer, answers + 3, 'the fourth wrong OTP never reached the bank');

      // The partner's own flows keep the bank user's remaining tries (5 in all): v2 and the v1 token.
      const v2 = await reauthSession(server, app.secretKey, id);
      const wrong = await stepOn(server, app.secretKey, '/v2/connect/commit', v2.body.data.session.id, { otp: '00000' });
      assert.equal(wrong.body.code, 'OTP_INVALID', wrong.text);
      await cancel(v2.body.data.session.id);
      const token = await reauthToken(server, app.secretKey, id);
      const v1 = await call(server.url, 'POST', '/v1/connect/session', { key: app.secretKey, body: { reauth_token: token } });
      assert.equal(v1.body.reauth.response_code, 102, v1.text);
      const right = await stepOn(server, app.secretKey, '/v1/connect/commit', v1.body.id, { otp: OTP });
      assert.equal(right.body.responseCode, 99, right.text);
      assert.equal(server.bank.calls.answer, answers + 5);
    });

    test('every kind of session shares one count: five wrong OTPs in all, then 429 everywhere', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      await resetLogin(server, app.secretKey, id, 'mfa_required');
      const wrongOtp = async (start: () => Promise<{ session: string; path: string }>) => {
        const { session, path } = await start();
        const res = await stepOn(server, app.secretKey, path, session, { otp: '00000' });
        if (session) await cancel(session);
        return res;
      };
      const v2 = async () => ({ session: (await reauthSession(server, app.secretKey, id)).body.data.session.id, path: '/v2/connect/commit' });
      const v1 = async () => {
        const token = await reauthToken(server, app.secretKey, id);
        const res = await call(server.url, 'POST', '/v1/connect/session', { key: app.secretKey, body: { reauth_token: token } });
        return { session: res.body.id as string, path: '/v1/connect/commit' };
      };
      const codes: string[] = [];
      for (const start of [v2, v1, v2, v1, v2]) codes.push((await wrongOtp(start)).body.code);
      assert.deepEqual(codes, ['OTP_INVALID', 'OTP_INVALID', 'OTP_INVALID', 'OTP_INVALID', 'OTP_INVALID']);
      const sixth = await wrongOtp(v1);
      assert.equal(sixth.status, 429, sixth.text);
    });

    // Finding 5: a widget reauth started with the public key held the account for ten minutes,
    // renewable, and the owner's own start got 409 that did not say which session held it.
    test('the partner’s start supersedes one a public-key holder started; the attacker’s session is cancelled', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const attacker = await attack('reauth', { account: id });
      assert.equal(attacker.status, 200, attacker.text);
      const owner = await reauthSession(server, app.secretKey, id);
      assert.equal(owner.status, 200, owner.text);
      const late = await attack('commit', { otp: OTP }, attacker.body.data.session.id);
      assert.equal(late.status, 409, late.text);
      assert.equal(late.body.code, 'SESSION_CANCELLED');

      // The owner's session is not the attacker's to supersede, and the attacker learns nothing of it.
      const again = await attack('reauth', { account: id });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.code, 'REAUTH_IN_PROGRESS');
      assert.doesNotMatch(again.text, /session_/);
      const done = await stepOn(server, app.secretKey, '/v2/connect/commit', owner.body.data.session.id, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
    });

    test('a reauth token or a hosted link in the widget is the partner’s too, and supersedes a public start', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      await attack('reauth', { account: id });
      const token = await reauthToken(server, app.secretKey, id);
      const withToken = await attack('reauth', { token });
      assert.equal(withToken.status, 200, withToken.text);
      const link = await call(server.url, 'POST', '/v2/accounts/initiate', { key: app.secretKey, body: { scope: 'reauth', account: id } });
      assert.equal(link.status, 200, link.text);
      const linkId = new URL(link.body.data.mono_url).pathname.split('/').pop();
      const withLink = await attack('reauth', { link: linkId });
      assert.equal(withLink.status, 409, 'one partner-issued start does not supersede another');
      assert.equal(withLink.body.code, 'REAUTH_IN_PROGRESS');
      // A browser is never told the live session's id, however its widget was opened.
      assert.doesNotMatch(withLink.text, /session_|[0-9a-f]{24}/);
    });

    test('a public start supersedes an older public one: nobody holds the account by starting first', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const first = await attack('reauth', { account: id });
      const second = await attack('reauth', { account: id });
      assert.equal(second.status, 200, second.text);
      const stale = await attack('commit', { otp: OTP }, first.body.data.session.id);
      assert.equal(stale.body.code, 'SESSION_CANCELLED');
      const done = await attack('commit', { otp: OTP }, second.body.data.session.id);
      assert.equal(done.body.responseCode, 99, done.text);
    });

    test('the 409 names the live session to the partner, who can cancel it; the widget cancels its own when closed', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const first = await reauthSession(server, app.secretKey, id);
      const second = await reauthSession(server, app.secretKey, id);
      assert.equal(second.status, 409, second.text);
      assert.equal(second.body.code, 'REAUTH_IN_PROGRESS');
      const live = first.body.data.session;
      assert.deepEqual(second.body.session, { id: live.id, expiresAt: live.expiresAt });
      assert.match(second.body.message, new RegExp(live.id));

      const cancelled = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': live.id } });
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.deepEqual(cancelled.body.data, { session: { id: live.id, status: 'cancelled' } });
      const repeat = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': live.id } });
      assert.equal(repeat.status, 200, 'cancelling again is no error');
      const stepAfter = await stepOn(server, app.secretKey, '/v2/connect/commit', live.id, { otp: OTP });
      assert.equal(stepAfter.body.code, 'SESSION_CANCELLED');

      // The widget, opened with a partner's token, is closed by the person: the account is free at once.
      const token = await reauthToken(server, app.secretKey, id);
      const opened = await attack('reauth', { token });
      assert.equal(opened.status, 200, opened.text);
      const closed = await attack('cancel', undefined, opened.body.data.session.id);
      assert.equal(closed.status, 200, closed.text);
      const next = await reauthSession(server, app.secretKey, id);
      assert.equal(next.status, 200, next.text);
    });

    test('cancel: another app’s session is not found, a completed one is a conflict, the widget cancels only widget sessions', async () => {
      const other = await createConnectApp(server, 'Another partner');
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const started = await reauthSession(server, app.secretKey, id);
      const session = started.body.data.session.id;
      const foreign = await call(server.url, 'POST', '/v2/connect/cancel', { key: other.secretKey, headers: { 'x-session-id': session } });
      assert.equal(foreign.status, 404, foreign.text);
      assert.equal((await attack('cancel', undefined, session)).status, 404, 'a partner session is not the widget’s to cancel');
      const missing = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey });
      assert.equal(missing.status, 400, missing.text);
      assert.match(missing.body.message, /x-session-id/);
      await stepOn(server, app.secretKey, '/v2/connect/commit', session, { otp: OTP });
      const completed = await call(server.url, 'POST', '/v2/connect/cancel', { key: app.secretKey, headers: { 'x-session-id': session } });
      assert.equal(completed.status, 409, completed.text);
      assert.equal(completed.body.code, 'SESSION_COMPLETED');
    });

    // Finding 10: a start whose answer never came (the process killed while the bank was slow)
    // left the account 409 for ten minutes, and the client never learned the session id.
    test('a start that never answers holds the account for at most a minute', async () => {
      const id = await linkedAccount(server, app.secretKey, user('user_otp'));
      const logins = server.bank.calls.login;
      server.bank.delayMs = 2_000;
      const hung = reauthSession(server, app.secretKey, id);
      await waitFor(() => server.bank.calls.login > logins, 5_000, 'the start to reach the bank');
      server.bank.delayMs = 0;
      const blocked = await reauthSession(server, app.secretKey, id);
      assert.equal(blocked.status, 409, 'held while the start runs');
      server.clock.advance(61_000);
      const next = await reauthSession(server, app.secretKey, id);
      assert.equal(next.status, 200, next.text);
      const late = await hung;
      assert.equal(late.status, 409, late.text);
      assert.equal(late.body.code, 'SESSION_CANCELLED');
      const done = await stepOn(server, app.secretKey, '/v2/connect/commit', next.body.data.session.id, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);
      assert.equal((await account(server, app.secretKey, id)).body.data.meta.reauth_required, false);
    });
  });
}
