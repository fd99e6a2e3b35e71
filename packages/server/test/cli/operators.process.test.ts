// `relink operators …` and the console's first operator, as an operator at a shell meets them: a
// first `relink serve` on a terminal prints a set-up link that opens the console (and, without a
// terminal, prints none: the link is a credential and stdout may be a log stream); `operators add`,
// `list`, `reset-password` and `remove` print what they did, and each is in the audit log as `cli`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, databases } from '@relink/testkit';
import { relinkInProcess } from '../support/cli.ts';
import { ConsoleClient, PASSWORD, visible } from '../support/console.ts';
import { databaseVars, relink, Served, servedDatabase } from '../support/process.ts';

const SETUP = /(http:\/\/127\.0\.0\.1:\d+\/dashboard\/setup\/[A-Za-z0-9_-]{43})/;

for (const kind of databases()) {
  describe(`[${kind}] relink operators`, () => {
    const fixture = servedDatabase(kind);

    test('a first start on a terminal prints the first operator’s set-up link; it opens the console once', async () => {
      const fresh = await createTestDatabase(kind);
      try {
        const served = fixture.track(new Served(['serve', '--data', fresh.dataDir], { PORT: '0', ...databaseVars(fresh) }, true));
        const url = (await served.waitFor(/Relink is listening on (http:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
        assert.match(served.stdout, new RegExp(`Console: +${url}/dashboard\\n`));
        const link = (await served.waitFor(SETUP))[1]!;
        assert.ok(link.startsWith(`${url}/dashboard/setup/`), link);
        assert.match(served.stdout, /No console operator yet\. Open this one-time link to choose the first operator's email and password/);
        const browser = new ConsoleClient(url);
        const path = new URL(link).pathname;
        const form = await browser.get(path);
        assert.equal(form.status, 200);
        assert.match(form.text, /<input id="email" name="email" type="email"/, 'the first operator chooses an email');
        assert.equal((await browser.post(path, { email: 'first@example.com', password: PASSWORD, confirm: PASSWORD })).status, 303);
        assert.equal((await browser.get(path)).status, 410);
        await browser.get('/dashboard/sign-in');
        assert.equal((await browser.post('/dashboard/sign-in', { email: 'first@example.com', password: PASSWORD })).status, 303);
        assert.match(visible((await browser.get('/dashboard')).text), /Signed in as first@example\.com/);
        assert.deepEqual(await served.stop(), { code: 0, signal: null }, served.stdout);

        // A later start, with an operator, prints no link.
        const again = fixture.track(new Served(['serve', '--data', fresh.dataDir], { PORT: '0', ...databaseVars(fresh) }, true));
        await again.waitFor(/Console: +\S+\/dashboard\n/);
        await again.waitFor(/Apps, with their public keys/);
        assert.doesNotMatch(again.stdout, /setup|No console operator/);
        assert.deepEqual(await again.stop(), { code: 0, signal: null }, again.stdout);
      } finally {
        await fresh.drop();
      }
    });

    test('a first start without a terminal prints no link, and says how to get one', async () => {
      const served = fixture.serve();
      await served.waitFor(/No console operator yet: at a terminal, npx relink operators add EMAIL prints a one-time set-up link\.\n/);
      assert.doesNotMatch(served.stdout + served.stderr, /dashboard\/setup\//);
      const listed = await relinkInProcess(['operators', 'list', '--json', '--data', fixture.db.dataDir], databaseVars(fixture.db));
      assert.deepEqual(JSON.parse(listed.stdout), []);
      assert.deepEqual(await served.stop(), { code: 0, signal: null });
    });

    test('operators add, list, reset-password and remove, each in the audit log as cli', async () => {
      const vars = databaseVars(fixture.db);
      const cli = (...args: string[]) => relinkInProcess([...args, '--data', fixture.db.dataDir], vars);
      const added = await relink(['operators', 'add', 'Ada@Example.com', '--data', fixture.db.dataDir], vars);
      assert.equal(added.code, 0, added.stderr);
      assert.match(
        added.stdout,
        /^Added operator ada@example\.com\.\nOne-time set-up link \(works once, for 24 hours; open it to choose the password\):\n {2}http:\/\/127\.0\.0\.1:3000\/dashboard\/setup\/[A-Za-z0-9_-]{43}\n$/,
      );
      const json = await cli('operators', 'add', 'grace@example.com', '--json');
      assert.equal(json.code, 0, json.stderr);
      const grace = JSON.parse(json.stdout);
      assert.equal(grace.email, 'grace@example.com');
      assert.equal(grace.active, false);
      assert.match(grace.setupUrl, /\/dashboard\/setup\/[A-Za-z0-9_-]{43}$/);
      const twice = await cli('operators', 'add', 'ADA@example.com');
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /^relink: An operator with the email ada@example\.com already exists\n$/);
      assert.equal((await cli('operators', 'add', 'not-an-email')).code, 1);
      assert.match((await cli('operators', 'add')).stderr, /name the operator: relink operators add EMAIL/);

      const list = await cli('operators', 'list');
      assert.match(list.stdout, /^[0-9a-f]{24} {2}ada@example\.com {2}waiting for set-up\n[0-9a-f]{24} {2}grace@example\.com {2}waiting for set-up\n$/);
      const reset = await cli('operators', 'reset-password', 'grace@example.com');
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /^Reset the password of grace@example\.com: the old one no longer works, and 0 console sessions ended\.\n/);
      const newLink = SETUP.exec(reset.stdout.replace(':3000', ':1'))?.[1];
      assert.ok(newLink, reset.stdout);
      const removed = await cli('operators', 'remove', 'ada@example.com');
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /^Removed operator ada@example\.com; their sessions ended\.\n$/);
      const missing = await cli('operators', 'remove', 'ada@example.com');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no operator ada@example\.com/);
      assert.match((await cli('operators', 'promote', 'x')).stderr, /unknown command "operators promote"/);

      const after = JSON.parse((await cli('operators', 'list', '--json')).stdout) as { email: string }[];
      assert.deepEqual(
        after.map((o) => o.email),
        ['grace@example.com'],
      );
      // The audit log, as the console shows it.
      const { createServices } = await import('../../src/services.ts');
      const { loadConfig } = await import('../../src/config/config.ts');
      const services = await createServices(loadConfig({ ...vars, RELINK_DATA_DIR: fixture.db.dataDir, LOG_LEVEL: 'silent' }));
      try {
        const { items } = await services.operators.audit({ page: 1, limit: 50 });
        assert.deepEqual(items.map((e) => `${e.actor} ${e.action}`).reverse(), [
          'cli operator.created',
          'cli operator.created',
          'cli operator.password_reset',
          'cli operator.removed',
        ]);
      } finally {
        await services.close();
      }
    });
  });
}
