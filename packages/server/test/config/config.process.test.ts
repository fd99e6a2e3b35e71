// Configuration: parsed and validated once at start from flags and the environment. Unit tests of
// loadConfig (defaults, flag precedence, every variable's bad value, the master-key file), and the
// CLI (in process, `main(argv, io, env)`) on each database with a bad value: exit 1 and one line on
// stderr naming the variable. Processes racing for a fresh key file are real processes.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, databases, TEST_MASTER_KEY, type TestDatabase } from '@relink/testkit';
import { ConfigError, loadConfig, masterKeyId } from '../../src/config/config.ts';
import { relinkInProcess as relink } from '../support/cli.ts';
import { ROOT, runProgram } from '../support/process.ts';

const CONFIG_MODULE = join(ROOT, 'packages/server/src/config/config.ts');
const KEY = { RELINK_MASTER_KEY: TEST_MASTER_KEY };

const scratch = mkdtempSync(join(tmpdir(), 'relink-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
/** A path for a data directory that does not exist yet. */
const freshDir = () => join(scratch, `data-${++dirs}`);

describe('loadConfig: defaults', () => {
  test('with only a master key set, every value has its documented default', () => {
    const config = loadConfig({ ...KEY });
    const dataDir = resolve('.relink');
    assert.equal(config.dataDir, dataDir);
    assert.deepEqual(config.database, { kind: 'sqlite', file: join(dataDir, 'relink.db') });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.publicUrl, undefined);
    assert.equal(config.sessionTtlMs, 600_000);
    assert.equal(config.codeTtlMs, 600_000);
    assert.equal(config.connectorTimeoutMs, 30_000);
    assert.deepEqual(config.webhook.retryScheduleSeconds, [5, 300, 1800, 7200, 18000, 36000, 36000]);
    assert.equal(config.webhook.timeoutMs, 15_000);
    assert.equal(config.webhook.pollIntervalMs, 5_000);
    assert.deepEqual(
      [config.limits.bankLoginFailures, config.limits.bankPublicLoginFailures, config.limits.bankAnswerFailures, config.limits.bankPublicAnswerFailures],
      [3, 2, 5, 3],
      'a public-key holder may spend 2 of 3 failed logins and 3 of 5 wrong answers',
    );
    assert.deepEqual(config.previousMasterKeys, []);
    assert.equal(config.metricsToken, undefined, '/metrics answers this machine alone');
    assert.equal(config.masterKey.source, 'env');
    assert.deepEqual(config.masterKey.key, Buffer.from(TEST_MASTER_KEY, 'base64'));
    assert.match(config.masterKey.id, /^[0-9a-f]{16}$/);
    assert.equal(config.masterKey.id, masterKeyId(config.masterKey.key));
  });

  test('the default data directory is ./.relink under the working directory, where a key is generated', () => {
    const cwd = process.cwd();
    const dir = freshDir();
    mkdirSync(dir);
    process.chdir(dir);
    try {
      const config = loadConfig({});
      assert.equal(config.dataDir, join(dir, '.relink'));
      assert.equal(config.masterKey.source, 'file');
      assert.ok(existsSync(join(dir, '.relink', 'master.key')));
    } finally {
      process.chdir(cwd);
    }
  });

  test('the widget limits: 120 requests per address and 3,000 per public key a minute by default; 0 turns one off', () => {
    const defaults = loadConfig({ ...KEY }).limits;
    assert.equal(defaults.widgetAddressRequestsPerMinute, 120);
    assert.equal(defaults.widgetKeyRequestsPerMinute, 3000);
    const set = loadConfig({ ...KEY, RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE: '0', RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE: '50000' }).limits;
    assert.equal(set.widgetAddressRequestsPerMinute, 0);
    assert.equal(set.widgetKeyRequestsPerMinute, 50_000);
  });

  test('empty numbers fall back to their default; LOG_LEVEL is case-insensitive', () => {
    const config = loadConfig({ ...KEY, PORT: '', RELINK_SESSION_TTL_SECONDS: '', LOG_LEVEL: 'WARN' });
    assert.equal(config.port, 3000);
    assert.equal(config.sessionTtlMs, 600_000);
    assert.equal(config.logLevel, 'warn');
  });

  test('every variable is read', () => {
    const previous = Buffer.alloc(32, 1).toString('base64');
    const config = loadConfig({
      ...KEY,
      PORT: '0',
      HOST: '0.0.0.0',
      RELINK_DATA_DIR: '/srv/relink',
      DATABASE_URL: 'postgresql://relink:secret@db.internal:5432/relink',
      LOG_LEVEL: 'debug',
      RELINK_PREVIOUS_MASTER_KEYS: previous,
      RELINK_PUBLIC_URL: 'https://relink.example.com/',
      RELINK_SESSION_TTL_SECONDS: '900',
      RELINK_CODE_TTL_SECONDS: '60',
      RELINK_CONNECTOR_TIMEOUT_MS: '5000',
      RELINK_WEBHOOK_RETRY_SCHEDULE: '1, 2,3',
      RELINK_WEBHOOK_TIMEOUT_MS: '2000',
      RELINK_WEBHOOK_POLL_MS: '100',
      RELINK_WEBHOOK_ALLOW_LOOPBACK: 'on',
      RELINK_SYNC_INTERVAL: '6h',
      RELINK_METRICS_TOKEN: ` ${'ab12'.repeat(16)} `,
    });
    assert.equal(config.port, 0);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, '/srv/relink');
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgresql://relink:secret@db.internal:5432/relink' });
    assert.equal(config.logLevel, 'debug');
    assert.deepEqual(
      config.previousMasterKeys.map((k) => k.id),
      [masterKeyId(Buffer.alloc(32, 1))],
    );
    assert.equal(config.publicUrl, 'https://relink.example.com', 'trailing slash dropped');
    assert.equal(config.sessionTtlMs, 900_000);
    assert.equal(config.codeTtlMs, 60_000);
    assert.equal(config.connectorTimeoutMs, 5000);
    assert.deepEqual(config.webhook, { retryScheduleSeconds: [1, 2, 3], timeoutMs: 2000, pollIntervalMs: 100, allowLoopback: true });
    assert.equal(config.syncIntervalMs, 6 * 3_600_000);
    assert.equal(config.metricsToken, 'ab12'.repeat(16), 'trimmed');
  });

  test('RELINK_SYNC_INTERVAL: 24 hours by default; seconds, or a number with s, m, h or d', () => {
    assert.equal(loadConfig({ ...KEY }).syncIntervalMs, 86_400_000);
    for (const [raw, ms] of [
      ['3600', 3_600_000],
      ['90s', 90_000],
      ['30m', 1_800_000],
      ['7d', 604_800_000],
    ] as const) {
      assert.equal(loadConfig({ ...KEY, RELINK_SYNC_INTERVAL: raw }).syncIntervalMs, ms, raw);
    }
  });

  test('RELINK_STATEMENT_TTL: an hour by default, from a minute to 7 days; RELINK_STATEMENT_CLAIM_SECONDS: 120 by default', () => {
    assert.deepEqual(loadConfig({ ...KEY }).statements, { ttlMs: 3_600_000, claimMs: 120_000 });
    assert.deepEqual(loadConfig({ ...KEY, RELINK_STATEMENT_TTL: '15m', RELINK_STATEMENT_CLAIM_SECONDS: '2' }).statements, { ttlMs: 900_000, claimMs: 2_000 });
    assert.throws(() => loadConfig({ ...KEY, RELINK_STATEMENT_TTL: '30s' }), /RELINK_STATEMENT_TTL must be from 60 s to 7 days \(got "30s"\)/);
    assert.throws(() => loadConfig({ ...KEY, RELINK_STATEMENT_CLAIM_SECONDS: '0' }), /RELINK_STATEMENT_CLAIM_SECONDS must be from 1 to 3600 \(got 0\)/);
  });

  test('DATABASE_URL: postgres:// or postgresql:// selects PostgreSQL; sqlite:FILE a SQLite file', () => {
    for (const url of ['postgres://u:p@h/db', 'postgresql://h/db', 'POSTGRES://h:5433/db']) {
      assert.deepEqual(loadConfig({ ...KEY, DATABASE_URL: url }).database, { kind: 'postgres', url });
    }
    assert.deepEqual(loadConfig({ ...KEY, DATABASE_URL: 'sqlite:/var/lib/relink.db' }).database, { kind: 'sqlite', file: '/var/lib/relink.db' });
    assert.deepEqual(loadConfig({ ...KEY, DATABASE_URL: 'sqlite:///var/lib/relink.db' }).database, { kind: 'sqlite', file: '/var/lib/relink.db' });
    assert.deepEqual(loadConfig({ ...KEY, DATABASE_URL: 'sqlite:data/r.db' }).database, { kind: 'sqlite', file: resolve('data/r.db') });
    // Without DATABASE_URL the SQLite file sits in the data directory.
    assert.deepEqual(loadConfig({ ...KEY, RELINK_DATA_DIR: '/srv/x' }).database, { kind: 'sqlite', file: '/srv/x/relink.db' });
  });

  test('RELINK_PG_PREPARED_STATEMENTS: on by default; off sends PostgreSQL statements unnamed; no meaning for SQLite', () => {
    const url = 'postgres://h/db';
    for (const off of ['off', 'false', '0', 'NO']) {
      assert.deepEqual(
        loadConfig({ ...KEY, DATABASE_URL: url, RELINK_PG_PREPARED_STATEMENTS: off }).database,
        { kind: 'postgres', url, preparedStatements: false },
        off,
      );
    }
    for (const on of ['on', 'TRUE', '1', 'yes']) {
      assert.deepEqual(loadConfig({ ...KEY, DATABASE_URL: url, RELINK_PG_PREPARED_STATEMENTS: on }).database, { kind: 'postgres', url }, on);
    }
    assert.deepEqual(loadConfig({ ...KEY, RELINK_DATA_DIR: '/srv/x', RELINK_PG_PREPARED_STATEMENTS: 'off' }).database, {
      kind: 'sqlite',
      file: '/srv/x/relink.db',
    });
  });
});

describe('loadConfig: flags take precedence over the environment', () => {
  const env = {
    ...KEY,
    PORT: '4000',
    HOST: '0.0.0.0',
    RELINK_DATA_DIR: '/env/data',
    DATABASE_URL: 'postgres://env-host/relink',
    LOG_LEVEL: 'debug',
  };

  test('each flag wins over its variable', () => {
    const config = loadConfig(env, { port: '5000', host: '127.0.0.2', data: '/flag/data', databaseUrl: 'sqlite:/flag/r.db', logLevel: 'error' });
    assert.equal(config.port, 5000);
    assert.equal(config.host, '127.0.0.2');
    assert.equal(config.dataDir, '/flag/data');
    assert.deepEqual(config.database, { kind: 'sqlite', file: '/flag/r.db' });
    assert.equal(config.logLevel, 'error');
  });

  test('an absent flag leaves the variable in force', () => {
    const config = loadConfig(env, { port: undefined, data: undefined });
    assert.equal(config.port, 4000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, '/env/data');
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://env-host/relink' });
    assert.equal(config.logLevel, 'debug');
  });

  test('--data moves the default SQLite file with it', () => {
    const config = loadConfig({ ...KEY, RELINK_DATA_DIR: '/env/data' }, { data: '/flag/data' });
    assert.deepEqual(config.database, { kind: 'sqlite', file: '/flag/data/relink.db' });
  });

  test('a bad flag is reported like a bad variable', () => {
    assert.throws(
      () => loadConfig(env, { port: 'abc' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'PORT',
    );
  });
});

describe('loadConfig: a bad value is a ConfigError naming the variable, in one line', () => {
  const short = Buffer.alloc(16, 7).toString('base64');
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '65536' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ HOST: ' ' }, 'HOST'],
    [{ RELINK_DATA_DIR: '' }, '--data / RELINK_DATA_DIR'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: '' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://[nope' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_LEVEL: '' }, 'LOG_LEVEL'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ RELINK_MASTER_KEY: short }, 'RELINK_MASTER_KEY'],
    [{ RELINK_MASTER_KEY: 'not base64 at all!' }, 'RELINK_MASTER_KEY'],
    [{ RELINK_MASTER_KEY: `${TEST_MASTER_KEY}AAAA` }, 'RELINK_MASTER_KEY'],
    [{ RELINK_MASTER_KEY: Buffer.alloc(32, 0xfb).toString('base64url') }, 'RELINK_MASTER_KEY'],
    [{ RELINK_MASTER_KEY: '' }, 'RELINK_MASTER_KEY'],
    [{ RELINK_PREVIOUS_MASTER_KEYS: `${TEST_MASTER_KEY},${short}` }, 'RELINK_PREVIOUS_MASTER_KEYS'],
    [{ RELINK_PUBLIC_URL: 'ftp://relink.example.com' }, 'RELINK_PUBLIC_URL'],
    [{ RELINK_PUBLIC_URL: 'relink.example.com' }, 'RELINK_PUBLIC_URL'],
    [{ RELINK_SESSION_TTL_SECONDS: '5' }, 'RELINK_SESSION_TTL_SECONDS'],
    [{ RELINK_CODE_TTL_SECONDS: '86401' }, 'RELINK_CODE_TTL_SECONDS'],
    [{ RELINK_CONNECTOR_TIMEOUT_MS: '0' }, 'RELINK_CONNECTOR_TIMEOUT_MS'],
    [{ RELINK_WEBHOOK_RETRY_SCHEDULE: '5,soon' }, 'RELINK_WEBHOOK_RETRY_SCHEDULE'],
    [{ RELINK_WEBHOOK_RETRY_SCHEDULE: '604801' }, 'RELINK_WEBHOOK_RETRY_SCHEDULE'],
    [{ RELINK_WEBHOOK_TIMEOUT_MS: '99' }, 'RELINK_WEBHOOK_TIMEOUT_MS'],
    [{ RELINK_WEBHOOK_POLL_MS: '10' }, 'RELINK_WEBHOOK_POLL_MS'],
    [{ RELINK_SYNC_INTERVAL: 'daily' }, 'RELINK_SYNC_INTERVAL'],
    [{ RELINK_SYNC_INTERVAL: '5s' }, 'RELINK_SYNC_INTERVAL'],
    [{ RELINK_SYNC_INTERVAL: '31d' }, 'RELINK_SYNC_INTERVAL'],
    [{ RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE: 'lots' }, 'RELINK_WIDGET_ADDRESS_REQUESTS_PER_MINUTE'],
    [{ RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE: '-1' }, 'RELINK_WIDGET_KEY_REQUESTS_PER_MINUTE'],
    [{ RELINK_PG_PREPARED_STATEMENTS: 'sometimes' }, 'RELINK_PG_PREPARED_STATEMENTS'],
    [{ RELINK_PG_PREPARED_STATEMENTS: '' }, 'RELINK_PG_PREPARED_STATEMENTS'],
    [{ RELINK_BANK_PUBLIC_LOGIN_FAILURES: '0' }, 'RELINK_BANK_PUBLIC_LOGIN_FAILURES'],
    [{ RELINK_BANK_PUBLIC_LOGIN_FAILURES: '4' }, 'RELINK_BANK_PUBLIC_LOGIN_FAILURES'],
    [{ RELINK_BANK_LOGIN_FAILURES: '5', RELINK_BANK_PUBLIC_LOGIN_FAILURES: '6' }, 'RELINK_BANK_PUBLIC_LOGIN_FAILURES'],
    [{ RELINK_BANK_PUBLIC_ANSWER_FAILURES: '6' }, 'RELINK_BANK_PUBLIC_ANSWER_FAILURES'],
    [{ RELINK_METRICS_TOKEN: '' }, 'RELINK_METRICS_TOKEN'],
    [{ RELINK_METRICS_TOKEN: 'x'.repeat(31) }, 'RELINK_METRICS_TOKEN'],
    [{ RELINK_METRICS_TOKEN: `${'x'.repeat(20)} ${'y'.repeat(20)}` }, 'RELINK_METRICS_TOKEN'],
    [{ RELINK_METRICS_TOKEN: `${'x'.repeat(40)}é` }, 'RELINK_METRICS_TOKEN'],
  ];
  for (const [bad, variable] of cases) {
    test(`${JSON.stringify(bad)} → ${variable}`, () => {
      const dir = freshDir();
      assert.throws(
        () => loadConfig({ ...KEY, RELINK_DATA_DIR: dir, ...bad }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.equal(error.variable, variable);
          assert.ok(error.message.startsWith(`${variable} `), error.message);
          assert.ok(!error.message.includes('\n'), 'one line');
          const secret = bad.RELINK_MASTER_KEY ?? bad.RELINK_PREVIOUS_MASTER_KEYS ?? bad.RELINK_METRICS_TOKEN;
          if (secret) assert.ok(!error.message.includes(secret), 'the message repeats a key');
          return true;
        },
      );
      assert.ok(!existsSync(join(dir, 'master.key')), 'a key file was written for a configuration that was refused');
    });
  }
});

describe('loadConfig: the master key', () => {
  test('absent: 32 random bytes are generated into DATA_DIR/master.key (mode 0600) and reused', () => {
    const dir = join(freshDir(), 'nested');
    const first = loadConfig({ RELINK_DATA_DIR: dir });
    const file = join(dir, 'master.key');
    assert.equal(first.masterKey.source, 'file');
    assert.equal(first.masterKey.key.length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(Buffer.from(readFileSync(file, 'utf8'), 'base64'), first.masterKey.key);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('master.key')),
      ['master.key'],
      'no temporary file left',
    );

    const second = loadConfig({ RELINK_DATA_DIR: dir });
    assert.equal(second.masterKey.source, 'file');
    assert.equal(second.masterKey.id, first.masterKey.id);
  });

  test('RELINK_MASTER_KEY wins over a key file, which is left alone', () => {
    const dir = freshDir();
    const generated = loadConfig({ RELINK_DATA_DIR: dir });
    const before = readFileSync(join(dir, 'master.key'), 'utf8');
    const config = loadConfig({ RELINK_DATA_DIR: dir, ...KEY });
    assert.equal(config.masterKey.source, 'env');
    assert.notEqual(config.masterKey.id, generated.masterKey.id);
    assert.equal(readFileSync(join(dir, 'master.key'), 'utf8'), before);
  });

  test('with RELINK_MASTER_KEY set nothing is written to the data directory', () => {
    const dir = freshDir();
    loadConfig({ RELINK_DATA_DIR: dir, ...KEY });
    assert.ok(!existsSync(dir));
  });

  test('a damaged key file is a ConfigError naming RELINK_MASTER_KEY and the file', () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'master.key'), 'c2hvcnQ=');
    assert.throws(
      () => loadConfig({ RELINK_DATA_DIR: dir }),
      (e: unknown) => e instanceof ConfigError && e.variable.startsWith('RELINK_MASTER_KEY') && e.message.includes(join(dir, 'master.key')),
    );
  });

  test('a data directory that cannot be created is a ConfigError naming it, not a crash', () => {
    const file = freshDir();
    writeFileSync(file, 'not a directory');
    assert.throws(
      () => loadConfig({ RELINK_DATA_DIR: join(file, 'sub') }),
      (e: unknown) => e instanceof ConfigError && e.variable === '--data / RELINK_DATA_DIR' && !e.message.includes('\n'),
    );
  });

  test('processes starting at once on a fresh data directory all end up with the same key', async () => {
    const dir = freshDir();
    const script = `const { loadConfig } = await import(${JSON.stringify(CONFIG_MODULE)}); process.stdout.write(loadConfig({ RELINK_DATA_DIR: ${JSON.stringify(dir)} }).masterKey.id);`;
    const runs = await Promise.all([1, 2, 3, 4].map(() => runProgram(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {})));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const ids = new Set(runs.map((run) => run.stdout));
    assert.equal(ids.size, 1, `different keys: ${[...ids]}`);
    assert.equal([...ids][0], loadConfig({ RELINK_DATA_DIR: dir }).masterKey.id);
  });
});

for (const kind of databases()) {
  describe(`[${kind}] a bad configuration stops the CLI with one line naming the variable`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
    });
    after(() => db?.drop());

    const bad: [string, string[], Record<string, string>, string][] = [
      ['PORT=abc', ['apps', 'list'], { PORT: 'abc' }, 'PORT'],
      ['PORT=70000 (serve)', ['serve'], { PORT: '70000' }, 'PORT'],
      ['--port abc (serve)', ['serve', '--port', 'abc'], {}, 'PORT'],
      ['RELINK_MASTER_KEY of 16 bytes', ['apps', 'list'], { RELINK_MASTER_KEY: Buffer.alloc(16, 1).toString('base64') }, 'RELINK_MASTER_KEY'],
      ['RELINK_MASTER_KEY empty (serve)', ['serve'], { RELINK_MASTER_KEY: '' }, 'RELINK_MASTER_KEY'],
      ['DATABASE_URL=mysql://x', ['apps', 'create', '--name', 'X'], { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      ['DATABASE_URL=mysql://x (serve)', ['serve'], { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      ['LOG_LEVEL=loud', ['serve'], { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      ['RELINK_WEBHOOK_RETRY_SCHEDULE=soon', ['apps', 'list'], { RELINK_WEBHOOK_RETRY_SCHEDULE: 'soon' }, 'RELINK_WEBHOOK_RETRY_SCHEDULE'],
      ['RELINK_PUBLIC_URL=ftp://x', ['serve'], { RELINK_PUBLIC_URL: 'ftp://x' }, 'RELINK_PUBLIC_URL'],
    ];

    test('each bad value: exit 1, nothing on stdout, one line on stderr', async () => {
      const runs = await Promise.all(
        bad.map(([, args, vars]) => relink([...args, '--data', db.dataDir], { DATABASE_URL: db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY, PORT: '0', ...vars })),
      );
      bad.forEach(([label, , , variable], i) => {
        const run = runs[i]!;
        assert.equal(run.code, 1, `${label}: ${run.stdout}${run.stderr}`);
        assert.equal(run.stdout, '', label);
        assert.match(run.stderr, /^[^\n]+\n$/, `${label}: not one line: ${run.stderr}`);
        assert.ok(run.stderr.startsWith(`relink: invalid configuration: ${variable} `), `${label}: ${run.stderr}`);
      });
    });

    test('a data directory that is a file: exit 1, one line naming RELINK_DATA_DIR', async () => {
      const file = join(db.dataDir, 'a-file');
      writeFileSync(file, '');
      const run = await relink(['apps', 'list', '--data', join(file, 'sub')], { DATABASE_URL: db.url });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^relink: invalid configuration: --data \/ RELINK_DATA_DIR [^\n]+\n$/);
    });

    test('the same command with the value fixed works', async () => {
      const run = await relink(['apps', 'list', '--json', '--data', db.dataDir], { DATABASE_URL: db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY, PORT: '3001' });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), []);
    });
  });
}

describe('a database that cannot be reached stops serve with one line', () => {
  test('DATABASE_URL naming a closed port: exit 1', async () => {
    const dir = freshDir();
    const run = await relink(['serve', '--data', dir], {
      DATABASE_URL: 'postgres://relink:x@127.0.0.1:1/relink',
      RELINK_MASTER_KEY: TEST_MASTER_KEY,
      PORT: '0',
    });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^relink: [^\n]*ECONNREFUSED[^\n]*\n$/);
  });
});
