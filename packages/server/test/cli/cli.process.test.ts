// The `relink` command: apps create, list and delete, keys rotate, live keys and the master key,
// and `serve` on a fresh and on a used data directory. Every key the CLI prints is tried against
// a real server over HTTP. One-shot commands run in process (`main(argv, io, env)`); what needs a
// real process runs as one, the way an operator runs it: `serve` (its banner and SIGTERM),
// `npx relink …` from the repository root, and `relink --help` through the bin.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, createTestDatabase, databases, startTestServer, TEST_MASTER_KEY, type TestDatabase, type TestServer } from '@relink/testkit';
import { relinkInProcess as relink } from '../support/cli.ts';
import { databaseVars, freePort, relink as relinkProcess, Served, servedDatabase } from '../support/process.ts';

const PRINTED_FIELDS = ['id', 'name', 'mode', 'secretKey', 'publicKey', 'webhookSecret'];

for (const kind of databases()) {
  describe(`[${kind}] relink apps and keys`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let vars: Record<string, string>;
    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(kind, { db, logLevel: 'warn' });
      vars = { DATABASE_URL: db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY };
    });
    after(async () => {
      await server?.stop();
      await db?.drop();
    });

    const cli = (args: string[], extra: Record<string, string> = {}) => relink([...args, '--data', db.dataDir], { ...vars, ...extra });
    const statusWith = async (key: string) => (await call(server.url, 'GET', '/v3/institutions', { key })).status;
    const create = async (name: string) => {
      const run = await cli(['apps', 'create', '--name', name, '--json']);
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as Record<string, string>;
    };

    test('apps create --json prints exactly the six fields, once; the key works; only hashes are stored', async () => {
      const run = await cli(['apps', 'create', '--name', 'Acme Lending', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim().split('\n').length, 1, 'one line of JSON');
      const app = JSON.parse(run.stdout);
      assert.deepEqual(Object.keys(app), PRINTED_FIELDS);
      assert.match(app.id, /^[0-9a-f]{24}$/);
      assert.equal(app.name, 'Acme Lending');
      assert.equal(app.mode, 'test');
      assert.match(app.secretKey, /^test_sk_[0-9A-Za-z]{32}$/);
      assert.match(app.publicKey, /^test_pk_[0-9A-Za-z]{32}$/);
      assert.match(app.webhookSecret, /^whsec_/);

      assert.equal(await statusWith(app.secretKey), 200);
      const rows = JSON.stringify(await server.services.database.db.selectFrom('apps').selectAll().execute());
      assert.ok(rows.includes(app.id));
      assert.ok(!rows.includes(app.secretKey), 'secret key stored in clear');
      assert.ok(!rows.includes(app.webhookSecret), 'webhook secret stored in clear');

      const listed = await cli(['apps', 'list', '--json']);
      assert.ok(!listed.stdout.includes(app.secretKey), 'apps list shows the secret key again');
    });

    test('apps create without --json says the secrets are shown only now', async () => {
      const run = await cli(['apps', 'create', '--name', 'Plain']);
      assert.equal(run.code, 0, run.stderr);
      const key = run.stdout.match(/secret key: +(test_sk_[0-9A-Za-z]{32})/)?.[1];
      assert.ok(key, run.stdout);
      assert.match(run.stdout, /webhook secret: +whsec_/);
      assert.match(run.stdout, /shown only now/);
      assert.equal(await statusWith(key), 200);
    });

    test('keys rotate --json prints the new key; the old key is 401 at once, the new one 200', async () => {
      const app = await create('Rotating');
      assert.equal(await statusWith(app.secretKey!), 200);
      const run = await cli(['keys', 'rotate', '--app', app.id!, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const rotated = JSON.parse(run.stdout);
      assert.equal(rotated.id, app.id);
      assert.match(rotated.secretKey, /^test_sk_[0-9A-Za-z]{32}$/);
      assert.notEqual(rotated.secretKey, app.secretKey);
      assert.equal(await statusWith(app.secretKey!), 401);
      assert.equal(await statusWith(rotated.secretKey), 200);
    });

    test('apps list --json lists every app with a hint, never a secret', async () => {
      const app = await create('Listed');
      const run = await cli(['apps', 'list', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const apps = JSON.parse(run.stdout) as Record<string, unknown>[];
      const entry = apps.find((a) => a.id === app.id);
      assert.ok(entry, 'the new app is listed');
      assert.equal(entry.name, 'Listed');
      assert.equal(entry.mode, 'test');
      assert.equal(entry.publicKey, app.publicKey);
      assert.equal(entry.secretKeyHint, app.secretKey!.slice(-4));
      for (const listed of apps) {
        assert.ok(!('secretKey' in listed) && !('webhookSecret' in listed), `secret field listed: ${Object.keys(listed)}`);
      }
      assert.doesNotMatch(run.stdout, /_sk_|whsec_/);

      const text = await cli(['apps', 'list']);
      assert.equal(text.code, 0, text.stderr);
      // The public key is shown (docs/connect.md sends people here for it); of the secret key, its end.
      assert.match(text.stdout, new RegExp(`^${app.id}  test  Listed  public_key=${app.publicKey}  secret_key=…${app.secretKey!.slice(-4)}$`, 'm'));
      assert.ok(!text.stdout.includes(app.secretKey!) && !text.stdout.includes(app.webhookSecret!), 'no secret in the text list');
    });

    test('apps delete: the key is 401 at once, the app leaves the list and cannot be rotated back', async () => {
      const app = await create('Doomed');
      assert.equal(await statusWith(app.secretKey!), 200);
      const run = await cli(['apps', 'delete', '--app', app.id!]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await statusWith(app.secretKey!), 401);
      const listed = JSON.parse((await cli(['apps', 'list', '--json'])).stdout) as { id: string }[];
      assert.ok(!listed.some((a) => a.id === app.id));
      const rotated = await cli(['keys', 'rotate', '--app', app.id!]);
      assert.equal(rotated.code, 1);
      assert.equal(rotated.stderr, `relink: no app with id ${app.id}\n`);
    });

    test('an unknown app id is exit 1 with one line naming it', async () => {
      for (const args of [
        ['keys', 'rotate', '--app', 'ffffffffffffffffffffffff', '--json'],
        ['apps', 'delete', '--app', 'ffffffffffffffffffffffff'],
      ]) {
        const run = await cli(args);
        assert.equal(run.code, 1, args.join(' '));
        assert.equal(run.stdout, '');
        assert.equal(run.stderr, 'relink: no app with id ffffffffffffffffffffffff\n');
      }
    });

    test('--webhook-url is stored with the app', async () => {
      const run = await cli(['apps', 'create', '--name', 'Hooked', '--webhook-url', 'https://partner.example/hooks/mono', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const app = JSON.parse(run.stdout);
      assert.deepEqual(Object.keys(app), PRINTED_FIELDS);
      const listed = JSON.parse((await cli(['apps', 'list', '--json'])).stdout) as { id: string; webhookUrl: string }[];
      assert.equal(listed.find((a) => a.id === app.id)?.webhookUrl, 'https://partner.example/hooks/mono');
    });

    test('--live without RELINK_MASTER_KEY is refused naming it; with it the app is live', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'relink-cli-live-'));
      try {
        // A master key generated into the data directory is for local test mode only.
        const refused = await relink(['apps', 'create', '--name', 'Live', '--live', '--json', '--data', dataDir], { DATABASE_URL: db.url });
        assert.equal(refused.code, 1);
        assert.equal(refused.stdout, '');
        assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
        assert.match(refused.stderr, /^relink: .*RELINK_MASTER_KEY/);
        const listed = JSON.parse((await cli(['apps', 'list', '--json'])).stdout) as { name: string }[];
        assert.ok(!listed.some((a) => a.name === 'Live'), 'a refused live app was created anyway');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }

      const run = await cli(['apps', 'create', '--name', 'Live', '--live', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const app = JSON.parse(run.stdout);
      assert.deepEqual(Object.keys(app), PRINTED_FIELDS);
      assert.equal(app.mode, 'live');
      assert.match(app.secretKey, /^live_sk_[0-9A-Za-z]{32}$/);
      assert.match(app.publicKey, /^live_pk_[0-9A-Za-z]{32}$/);
      assert.equal(await statusWith(app.secretKey), 200);

      const rotated = await cli(['keys', 'rotate', '--app', app.id, '--json']);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(JSON.parse(rotated.stdout).secretKey, /^live_sk_[0-9A-Za-z]{32}$/);
    });

    test('npx relink works from the repository root', async () => {
      const app = await create('Via npx');
      const run = await relinkProcess(['apps', 'list', '--json', '--data', db.dataDir], vars, 'npx');
      assert.equal(run.code, 0, run.stderr);
      assert.ok((JSON.parse(run.stdout) as { id: string }[]).some((a) => a.id === app.id));
    });
  });

  describe(`[${kind}] relink serve`, () => {
    const fixture = servedDatabase(kind);

    test('a fresh start creates "Sandbox" and prints its secrets and URLs; a later start reuses it', async () => {
      // SQLite: no DATABASE_URL, so the database and a generated master key land in --data.
      const vars = { PORT: '0', ...databaseVars(fixture.db) };
      const first = new Served(['serve', '--data', fixture.db.dataDir], vars);
      fixture.track(first);
      const url = (await first.waitFor(/Relink is listening on (http:\/\/127\.0\.0\.1:(\d+))\n/))[1]!;
      const file = (await first.waitFor(/secret key and webhook secret are in (\S+)\n/))[1]!;
      assert.notEqual(new URL(url).port, '0', 'PORT=0 prints the real port');
      const banner = first.stdout;
      // stdout is a pipe here, where JSON logs go: the secrets are in a 0600 file, not the stream.
      assert.doesNotMatch(banner + first.stderr, /_sk_|whsec_/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const secrets = JSON.parse(readFileSync(file, 'utf8'));
      const key: string = secrets.secret_key;
      const webhookSecret: string = secrets.webhook_secret;
      const id = banner.match(/app "Sandbox" \(([0-9a-f]{24})\)/)?.[1] ?? assert.fail(banner);
      assert.match(key, /^test_sk_[0-9A-Za-z]{32}$/);
      assert.match(webhookSecret, /^whsec_/);
      assert.equal(secrets.app_id, id);
      // The public key is not a secret: the banner shows it even where logs go.
      const publicKey = banner.match(/public key: +(test_pk_[0-9A-Za-z]{32}) /)?.[1] ?? assert.fail(banner);
      assert.equal(secrets.public_key, publicKey);
      assert.match(banner, /The webhook secret signs deliveries until a URL is set: PUT \/v2\/webhooks\/endpoint issues a new one and returns it\.\n/);
      assert.match(banner, new RegExp(`API docs: +${url}/docs\\n`));
      assert.equal((await call(url, 'GET', '/v3/institutions', { key })).status, 200);
      assert.equal((await fetch(`${url}/docs`)).status, 200);
      if (kind === 'sqlite') {
        assert.ok(existsSync(join(fixture.db.dataDir, 'relink.db')), 'SQLite file in the data directory');
        assert.equal(statSync(join(fixture.db.dataDir, 'master.key')).mode & 0o777, 0o600);
        assert.match(first.stderr, /WARNING: RELINK_MASTER_KEY is not set/);
      } else {
        assert.doesNotMatch(first.stderr, /WARNING/);
        assert.ok(!existsSync(join(fixture.db.dataDir, 'master.key')), 'no key generated when RELINK_MASTER_KEY is set');
      }
      assert.deepEqual(await first.stop(), { code: 0, signal: null });

      // The same data directory (and database) again, on a port chosen through PORT.
      const port = await freePort();
      const second = new Served(['serve', '--data', fixture.db.dataDir], { ...vars, PORT: String(port) });
      fixture.track(second);
      await second.waitFor(/keys rotate --app [0-9a-f]{24}\n/);
      const again = second.stdout;
      assert.match(again, new RegExp(`Relink is listening on http://127\\.0\\.0\\.1:${port}\\n`));
      assert.match(again, new RegExp(`Sandbox \\(${id}, test\\)  public key: ${publicKey}\n`));
      assert.ok(again.includes(`npx relink keys rotate --app ${id}\n`), again);
      assert.doesNotMatch(again, /_sk_|whsec_|secret key:/);
      assert.equal((await call(`http://127.0.0.1:${port}`, 'GET', '/v3/institutions', { key })).status, 200);

      // Do what the banner says, through the bin link, while the server runs.
      const dbVars = databaseVars(fixture.db);
      const rotated = await relinkProcess(['keys', 'rotate', '--app', id, '--json', '--data', fixture.db.dataDir], dbVars, 'npx');
      assert.equal(rotated.code, 0, rotated.stderr);
      const newKey = JSON.parse(rotated.stdout).secretKey as string;
      assert.equal((await call(`http://127.0.0.1:${port}`, 'GET', '/v3/institutions', { key })).status, 401);
      assert.equal((await call(`http://127.0.0.1:${port}`, 'GET', '/v3/institutions', { key: newKey })).status, 200);
      assert.deepEqual(await second.stop(), { code: 0, signal: null });
    });

    test('on a terminal, a first start prints the public key and the secrets, and the keys work', async () => {
      const fresh = await createTestDatabase(kind);
      try {
        const served = fixture.track(new Served(['serve', '--data', fresh.dataDir], { PORT: '0', ...databaseVars(fresh) }, true));
        const url = (await served.waitFor(/Relink is listening on (http:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
        const [, publicKey, secretKey] = await served.waitFor(
          /public key: +(test_pk_[0-9A-Za-z]{32}) .*\n(?:.*\n)*? +secret key: +(test_sk_[0-9A-Za-z]{32})\n/,
        );
        assert.match(
          served.stdout,
          /webhook secret: +whsec_\S+\n +\(the webhook secret signs deliveries until a URL is set: PUT \/v2\/webhooks\/endpoint issues a new one/,
        );
        assert.equal((await call(url, 'GET', '/v3/institutions', { key: secretKey! })).status, 200);
        const listed = JSON.parse((await relink(['apps', 'list', '--json', '--data', fresh.dataDir], databaseVars(fresh))).stdout) as { publicKey: string }[];
        assert.deepEqual(
          listed.map((a) => a.publicKey),
          [publicKey],
        );
        assert.ok(!existsSync(join(fresh.dataDir, 'sandbox-app.json')), 'printed, so no file');
        assert.deepEqual(await served.stop(), { code: 0, signal: null }, served.stdout);
      } finally {
        await fresh.drop();
      }
    });

    test('two servers starting at once on a fresh database create one Sandbox app between them', async () => {
      const fresh = await createTestDatabase(kind);
      try {
        const vars = { PORT: '0', ...databaseVars(fresh) };
        const pair = [new Served(['serve', '--data', fresh.dataDir], vars), new Served(['serve', '--data', fresh.dataDir], vars)];
        for (const served of pair) fixture.track(served);
        const banners = await Promise.all(
          pair.map(async (s) => (await s.waitFor(/(Delete the file once you have them\.|keys rotate --app [0-9a-f]{24})\n/), s.stdout)),
        );
        assert.equal(banners.filter((b) => b.includes('Created the test-mode app "Sandbox"')).length, 1, banners.join('\n----\n'));
        for (const s of pair) assert.deepEqual(await s.stop(), { code: 0, signal: null }, s.stdout + s.stderr);
        const dbVars = databaseVars(fresh);
        const listed = JSON.parse((await relink(['apps', 'list', '--json', '--data', fresh.dataDir], dbVars)).stdout) as { id: string; name: string }[];
        assert.deepEqual(
          listed.map((a) => a.name),
          ['Sandbox'],
        );

        // Deleted, it is not silently made again: the banner says how to create an app.
        assert.equal((await relink(['apps', 'delete', '--app', listed[0]!.id, '--data', fresh.dataDir], dbVars)).code, 0);
        const after = new Served(['serve', '--data', fresh.dataDir], vars);
        fixture.track(after);
        await after.waitFor(/There are no apps .*relink apps create --name NAME\n/);
        assert.doesNotMatch(after.stdout, /_sk_/);
        assert.deepEqual(await after.stop(), { code: 0, signal: null }, after.stdout + after.stderr);
      } finally {
        await fresh.drop();
      }
    });

    test('a second start does not create another Sandbox app', async () => {
      const dbVars = databaseVars(fixture.db);
      const run = await relink(['apps', 'list', '--json', '--data', fixture.db.dataDir], dbVars);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        (JSON.parse(run.stdout) as { name: string }[]).map((a) => a.name),
        ['Sandbox'],
      );
    });
  });
}

describe('relink arguments (no database involved)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relink-cli-args-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('missing or bad flags and unknown commands are refused with a short message', async () => {
    const cases: [string[], number, RegExp][] = [
      [['apps', 'create', '--json'], 1, /^relink: --name is required\n$/],
      [['apps', 'create', '--name', 'X', '--webhook-url', 'ftp://example.com/h'], 1, /^relink: --webhook-url must be an http\(s\) URL\n$/],
      [['apps', 'create', '--name', 'X', '--webhook-url', 'not a url'], 1, /^relink: --webhook-url is not a valid URL: not a url\n$/],
      [['keys', 'rotate'], 1, /^relink: --app is required\n$/],
      [['keys', 'spin', '--app', 'x'], 1, /^relink: unknown command "keys spin"/],
      [['apps', 'create', '--name', 'X', '--colour', 'red'], 2, /^relink: Unknown option '--colour'/],
      [['launch'], 2, /^relink: unknown command "launch"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => relink([...args, '--data', dir], {})));
    cases.forEach(([args, code, stderr], i) => {
      assert.equal(runs[i]!.code, code, `${args.join(' ')}: ${runs[i]!.stderr}`);
      assert.equal(runs[i]!.stdout, '');
      assert.match(runs[i]!.stderr, stderr);
    });
    assert.ok(!existsSync(join(dir, 'relink.db')), 'a refused command opened the database');
  });

  test('--help prints the usage with every command, exit 0 (in process and through the bin)', async () => {
    for (const run of [await relink(['--help'], {}), await relinkProcess(['--help'], {})]) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      for (const command of ['serve', 'migrate', 'apps create', 'apps list', 'apps delete', 'keys rotate']) {
        assert.ok(run.stdout.includes(`relink ${command}`), command);
      }
    }
  });
});

if (databases().includes('sqlite')) {
  describe('[sqlite] no DATABASE_URL: the data directory holds the database', () => {
    const dirs: string[] = [];
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    test('--data DIR puts relink.db and a private master.key in DIR; RELINK_DATA_DIR finds them again', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'relink-cli-data-'));
      dirs.push(dir);
      const created = await relink(['apps', 'create', '--name', 'Local', '--json', '--data', join(dir, 'nested')], {});
      assert.equal(created.code, 0, created.stderr);
      assert.ok(existsSync(join(dir, 'nested', 'relink.db')), 'relink.db in the data directory');
      assert.equal(statSync(join(dir, 'nested', 'master.key')).mode & 0o777, 0o600);
      const listed = await relink(['apps', 'list', '--json'], { RELINK_DATA_DIR: join(dir, 'nested') });
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as { id: string }[]).map((a) => a.id),
        [JSON.parse(created.stdout).id],
      );
    });
  });
}
