// What an operator reads of re-authorisation, as a person runs `relink`: the health numbers move
// by exactly what happened (a link, a forced re-authorisation, a re-authorisation committed ten
// minutes later; another left at its challenge and then unlinked), and `relink accounts show`
// lists the episode with its steps, and every event with its delivery.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  databases,
  OTP,
  partner,
  type ReauthServer,
  type Receiver,
  linkedAccount,
  reauthSession,
  resetLogin,
  setEndpoint,
  startReauthServer,
  startReceiver,
  stepOn,
  TEST_MASTER_KEY,
} from '@relink/testkit';
import { relink } from '../support/process.ts';

const TEN_MINUTES = 600_000;

for (const kind of databases()) {
  describe(`[${kind}] relink accounts: reauth health and an account's timeline`, () => {
    let server: ReauthServer;
    let receiver: Receiver;
    let app: { id: string; secretKey: string };
    before(async () => {
      server = await startReauthServer(kind);
      // The server's clock stands an hour back, so what it stamps is in the past for the
      // `relink` process, which reads the system's clock; it moves only when the test moves it.
      server.clock.set(Date.now() - 3_600_000);
      receiver = await startReceiver();
      app = await server.createApp('Operations');
      await setEndpoint(server, app.secretKey, receiver.url);
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });
    const vars = () => ({ DATABASE_URL: server.db.url, RELINK_DATA_DIR: server.db.dataDir, RELINK_MASTER_KEY: TEST_MASTER_KEY });
    async function json(args: string[]) {
      const run = await relink([...args, '--json'], vars());
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout);
    }
    async function text(args: string[]) {
      const run = await relink(args, vars());
      assert.equal(run.code, 0, run.stderr);
      return run.stdout;
    }

    test('a link, a forced reauth and a commit ten minutes later move the numbers by exactly that', async () => {
      const start = await json(['accounts', 'health']);
      const week = () => start.windows.find((w: { days: number }) => w.days === 7);
      assert.deepEqual(start.accounts, { linked: 0, waiting: 0, waiting_by_reason: {} });
      assert.equal(week().began, 0);

      const id = await linkedAccount(server, app.secretKey, 'user_otp');
      const linked = await json(['accounts', 'health']);
      assert.deepEqual(linked.accounts, { linked: 1, waiting: 0, waiting_by_reason: {} });
      assert.equal(linked.windows[0].began, 0);

      server.clock.advance(60_000);
      const reset = await resetLogin(server, app.secretKey, id, 'password_changed');
      const broke = await json(['accounts', 'health']);
      assert.deepEqual(broke.accounts, { linked: 1, waiting: 1, waiting_by_reason: { password_changed: 1 } });
      const [seven, thirty] = broke.windows;
      assert.deepEqual([seven.days, thirty.days], [7, 30]);
      for (const w of [seven, thirty]) {
        assert.equal(w.began, 1);
        assert.equal(w.reauthorised, 0);
        assert.equal(w.success_share, 0);
        assert.equal(w.median_seconds, null);
        assert.deepEqual(w.funnel, { began: 1, session: 0, login: 0, challenge: 0, done: 0, stopped: { none: 1, session: 0, login: 0, challenge: 0 } });
        assert.deepEqual(w.by_reason, [{ key: 'password_changed', name: 'password_changed', began: 1, reauthorised: 0, waiting: 1, median_seconds: null }]);
      }
      const waiting = await json(['accounts', 'list', '--reauth-required']);
      assert.deepEqual(
        waiting.items.map((a: { id: string; reauth_cause: string }) => [a.id, a.reauth_cause]),
        [[id, 'password_changed']],
      );
      assert.match(
        await text(['accounts', 'list', '--reauth-required']),
        new RegExp(`^${id}  app=${app.id}  Relink Sandbox Bank .* REAUTH REQUIRED \\(password_changed\\) since `, 'm'),
      );

      server.clock.advance(TEN_MINUTES);
      const started = await reauthSession(server, app.secretKey, id);
      const session = started.body.data.session.id as string;
      const login = await stepOn(server, app.secretKey, started.body.data.next, session, { username: reset.username, password: reset.new_password });
      assert.equal(login.body.responseCode, 102, login.text);
      const done = await stepOn(server, app.secretKey, '/v2/connect/commit', session, { otp: OTP });
      assert.equal(done.body.responseCode, 99, done.text);

      const back = await json(['accounts', 'health']);
      assert.deepEqual(back.accounts, { linked: 1, waiting: 0, waiting_by_reason: {} });
      for (const w of back.windows) {
        assert.equal(w.began, 1);
        assert.equal(w.reauthorised, 1);
        assert.equal(w.abandoned, 0);
        assert.equal(w.success_share, 1);
        assert.equal(w.median_seconds, 600);
        assert.equal(w.p90_seconds, 600);
        assert.deepEqual(w.funnel, { began: 1, session: 1, login: 1, challenge: 1, done: 1, stopped: { none: 0, session: 0, login: 0, challenge: 0 } });
        assert.deepEqual(w.by_institution, [
          { key: '5f2d08be60b92e2888287000', name: 'Relink Sandbox Bank', began: 1, reauthorised: 1, waiting: 0, median_seconds: 600 },
        ]);
      }
      assert.equal(back.series.length, 30);
      const sum = (field: 'broke' | 'came_back') => back.series.reduce((n: number, d: Record<string, number>) => n + (d[field] ?? 0), 0);
      assert.deepEqual([sum('broke'), sum('came_back')], [1, 1]);
      assert.deepEqual(
        back.series.filter((d: { came_back: number }) => d.came_back > 0).map((d: { median_seconds: number }) => d.median_seconds),
        [600],
      );
      assert.equal(back.truncated, false);
      assert.deepEqual((await json(['accounts', 'list', '--reauth-required'])).items, []);
      const report = await text(['accounts', 'health']);
      assert.match(report, /^Accounts: 1 linked, 0 waiting for re-authorisation now$/m);
      assert.match(report, /^Last 7 days: 1 broke, 1 came back, 0 unlinked or relinked; time to re-authorise: median 10m 0s, p90 10m 0s$/m);
      assert.match(report, /how far they got: 1 broke, 1 opened a session, 1 logged in, 1 saw a challenge, 1 done/);

      // The account's timeline: the link, the episode with its steps, every event with its delivery.
      const detail = await json(['accounts', 'show', id]);
      assert.equal(detail.account.id, id);
      assert.equal(detail.account.app_id, app.id);
      assert.equal(detail.account.reauth_required, false);
      assert.equal(detail.episodes.length, 1);
      const [episode] = detail.episodes;
      assert.equal(episode.cause, 'password_changed');
      assert.equal(episode.outcome, 'completed');
      assert.equal(episode.stage, 'done');
      assert.equal(episode.seconds, 600);
      assert.equal(episode.steps.sessions, 1);
      for (const step of ['session_at', 'login_at', 'challenge_at', 'ended_at']) assert.equal(typeof episode.steps[step], 'string', step);
      assert.deepEqual(
        episode.sessions.map((s: { id: string; status: string }) => [s.id, s.status]),
        [[session, 'completed']],
      );
      const kinds = detail.timeline.map((t: { kind: string; type?: string }) => t.type ?? t.kind);
      const at = (kind: string) => kinds.indexOf(kind);
      assert.ok(at('linked') === 0, kinds.join(', '));
      assert.ok(at('mono.events.account_connected') > 0, kinds.join(', '));
      // Recorded in one transaction, in the same millisecond: shown in the order they were recorded.
      assert.ok(at('mono.events.account_connected') < at('mono.events.account_updated'), kinds.join(', '));
      assert.ok(at('reauth_required') > at('mono.events.account_connected'), kinds.join(', '));
      assert.ok(at('mono.events.reauthorisation_required') >= at('reauth_required'), kinds.join(', '));
      assert.ok(at('reauth_ended') > at('reauth_required'), kinds.join(', '));
      assert.ok(kinds.includes('mono.events.account_reauthorized'), kinds.join(', '));
      const events = detail.timeline.filter((t: { kind: string }) => t.kind === 'event');
      for (const event of events) assert.equal(event.deliveries.length, 1, `${event.type} has its one delivery`);
      const failedSync = events.find((e: { sync: { status: string } | null }) => e.sync?.status === 'REAUTHORISATION_REQUIRED');
      assert.match(failedSync!.sync.error, /password was changed/);

      const shown = await text(['accounts', 'show', id]);
      assert.match(shown, new RegExp(`^Account ${id}: `, 'm'));
      assert.match(shown, /^ {2}rep_\S+ {2}password_changed {2}required \S+ {2}completed after 10m 0s, /m);
      assert.match(shown, /^ {4}got to: done; sessions 1 \(first \S+\); login \S+; challenge \S+$/m);
      assert.match(shown, /re-authorisation required \(password_changed\), episode rep_/);
      assert.match(shown, /episode rep_\S+ ended: completed after 10m 0s/);
      assert.match(shown, /mono\.events\.account_reauthorized evt_\S+\n {6}delivery whd_\S+ (pending|succeeded) \(\d attempts?/);
    });

    test('an episode left at its challenge shows where the person stopped; an unlink ends it', async () => {
      // Another bank user: the test before changed user_otp's password.
      const id = await linkedAccount(server, app.secretKey, 'user_otp+2');
      await resetLogin(server, app.secretKey, id, 'mfa_required');
      // The stored password still works: the bank asks its one-time password at once.
      const started = await reauthSession(server, app.secretKey, id);
      assert.equal(started.status, 200, started.text);
      const stuck = (await json(['accounts', 'health'])).windows[0];
      assert.equal(stuck.began, 2);
      assert.deepEqual(stuck.funnel.stopped, { none: 0, session: 0, login: 0, challenge: 1 });
      const [row] = (await json(['accounts', 'show', id])).episodes;
      assert.deepEqual([row.cause, row.outcome, row.stage, row.steps.login_at], ['mfa_required', null, 'challenge', null]);

      await partner(server, app.secretKey).accounts.unlink(id);
      const ended = await json(['accounts', 'health']);
      assert.deepEqual(ended.accounts, { linked: 1, waiting: 0, waiting_by_reason: {} });
      const week = ended.windows[0];
      assert.deepEqual([week.began, week.reauthorised, week.abandoned, week.success_share], [2, 1, 1, 0.5]);
      const shown = await json(['accounts', 'show', id]);
      assert.equal(shown.episodes[0].outcome, 'unlinked');
      assert.equal(typeof shown.account.unlinked_at, 'string');
      assert.ok(shown.timeline.some((t: { kind: string }) => t.kind === 'unlinked'));
      // Unlinked accounts leave the list unless asked for.
      assert.ok(!(await json(['accounts', 'list'])).items.some((a: { id: string }) => a.id === id));
      assert.ok((await json(['accounts', 'list', '--unlinked'])).items.some((a: { id: string }) => a.id === id));
      const unknown = await relink(['accounts', 'show', '5f171a530295e231abca1153'], vars());
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no account 5f171a530295e231abca1153/);
    });
  });
}
