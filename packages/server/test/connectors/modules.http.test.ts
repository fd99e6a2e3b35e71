// Connectors by configuration: a bank's connector package that lives outside the server (the
// Lagoon Trust Bank example, examples/connector-lagoon) is named in RELINK_CONNECTORS, by
// package name or by path, loaded beside the sandbox bank, listed, and linked through; a
// module of another interface major, or one that breaks the rules, stops the start with one line.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, createTestDatabase, databases, partner, settle, startTestServer, testConfig, useServer } from '@relink/testkit';
import { startServer } from '@relink/server';

const LAGOON = '6a1f0000000000000000a001';
const LAGOON_PATH = resolve(import.meta.dirname, '../../../../examples/connector-lagoon/src/index.ts');

for (const kind of databases()) {
  describe(`[${kind}] connectors named in RELINK_CONNECTORS`, () => {
    const server = useServer(kind, { env: { RELINK_CONNECTORS: 'sandbox, relink-connector-lagoon' } });
    let key: string;
    before(async () => {
      key = (await server.createApp()).secretKey;
    });

    test('GET /v3/institutions lists the package’s bank beside the sandbox banks, and the server knows where each came from', async () => {
      const res = await call(server.url, 'GET', '/v3/institutions', { key });
      assert.equal(res.status, 200, res.text);
      const names = res.body.data.map((i: { name: string }) => i.name);
      assert.deepEqual(names, ['Relink Sandbox Bank', 'Relink Sandbox Business Bank', 'Lagoon Trust Bank']);
      const lagoon = res.body.data.find((i: { _id: string }) => i._id === LAGOON);
      assert.equal(lagoon.bank_code, '990');
      assert.deepEqual(
        lagoon.auth_methods.map((m: { type: string }) => m.type),
        ['internet_banking'],
      );
      assert.deepEqual(
        server.services.banks.map((b) => [b.name, b.source, b.remote]),
        [
          ['sandbox', 'sandbox', false],
          ['lagoon', 'relink-connector-lagoon', false],
        ],
      );
    });

    test('an account at the package’s bank links (OTP, then a choice of none) and its data syncs through the package', async () => {
      const relink = partner(server, key);
      const { session } = await relink.connect.createSession({
        institution: LAGOON,
        auth_method: 'internet_banking',
        scope: 'financial_data',
        customer: { name: 'Chika Eze', email: 'chika@example.com' },
      });
      const challenge = await relink.connect.login(session.id, { username: 'chika', password: 'lagoon-pass' });
      assert.equal(challenge.responseCode, 102, JSON.stringify(challenge));
      const wrong = await relink.connect.commit(session.id, { otp: '111111' }).catch((error: unknown) => error);
      assert.match(String((wrong as Error).message), /not right/);
      const done = await relink.connect.commit(session.id, { otp: '246810' });
      assert.equal(done.responseCode, 99, JSON.stringify(done));
      const { id } = await relink.accounts.exchange(done.data.code);
      await settle(server);
      const account = await relink.accounts.get(id);
      assert.equal(account.account.institution.name, 'Lagoon Trust Bank');
      assert.equal(account.account.account_number, '3100000004');
      assert.equal(account.meta.data_status, 'AVAILABLE');
    });

    test('the package’s connector logged the login without the password or the OTP', () => {
      const lines = server.logs.filter((line) => line.includes('"connector":"lagoon"'));
      assert.ok(
        lines.some((line) => line.includes('"username":"chika"')),
        'the connector’s own log line is there',
      );
      for (const line of server.logs) {
        assert.ok(!line.includes('lagoon-pass') && !line.includes('246810'), line);
      }
    });
  });
}

describe('connectors by path, and the ones that do not start', () => {
  const kind = databases()[0]!;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relink-modules-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a module named by its path loads the same, and naming only it leaves the sandbox banks out', async () => {
    const server = await startTestServer(kind, { env: { RELINK_CONNECTORS: LAGOON_PATH } });
    try {
      const res = await call(server.url, 'GET', '/v1/institutions');
      assert.deepEqual(
        res.body.map((i: { name: string }) => i.name),
        ['Lagoon Trust Bank'],
      );
      assert.equal(server.services.banks[0]!.source, LAGOON_PATH);
    } finally {
      await server.stop();
    }
  });

  async function refused(env: Record<string, string>): Promise<string> {
    const db = await createTestDatabase(kind);
    try {
      const error = await startServer(testConfig(db, env)).then(
        async (running) => {
          await running.close();
          return undefined;
        },
        (e: unknown) => e as Error,
      );
      assert.ok(error, `the server started with ${JSON.stringify(env)}`);
      assert.doesNotMatch(error.message, /\n/, 'one line');
      return error.message;
    } finally {
      await db.drop();
    }
  }

  async function moduleFile(name: string, body: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, body);
    return file;
  }

  const institution = (id: string) =>
    `{ id: '${id}', name: 'Other', type: 'PERSONAL_BANKING', identifier: 'x', bankCode: '1', nipCode: '1', country: 'ng', primaryColor: '#000', icon: '/i.svg', authMethods: [{ id: '6a1f0000000000000000b101', type: 'internet_banking', name: 'IB', ui: { title: 'Log in', form: [{ type: 'elements.input', name: 'username', hint: 'Username', contentType: 'string' }] } }] }`;
  const connector = "{ name: 'other', login() {}, answer() {}, selectAccount() {}, fetchData() {} }";

  test('a connector of another interface major is refused, with the versions named', async () => {
    const file = await moduleFile(
      'future.mjs',
      `export default { interfaceVersion: '2.0', name: 'other', institutions: [${institution('6a1f0000000000000000b001')}], create: () => (${connector}) };`,
    );
    assert.equal(
      await refused({ RELINK_CONNECTORS: file }),
      `connector ${file}: implements connector interface 2.0, and this Relink runs 1.x (1.1): use a connector built for 1.x`,
    );
  });

  test('a connector newer than this Relink’s minor is refused; one older loads', async () => {
    const newer = await moduleFile(
      'newer.mjs',
      `export default { interfaceVersion: '1.99', name: 'other', institutions: [${institution('6a1f0000000000000000b001')}], create: () => (${connector}) };`,
    );
    assert.match(await refused({ RELINK_CONNECTORS: newer }), /implements connector interface 1\.99, newer than this Relink's 1\.1: upgrade Relink$/);
    const older = await moduleFile(
      'older.mjs',
      `export const connector = { interfaceVersion: '1.0', name: 'other', institutions: [${institution('6a1f0000000000000000b001')}], create: () => (${connector}) };`,
    );
    const server = await startTestServer(kind, { env: { RELINK_CONNECTORS: older } });
    await server.stop();
  });

  test('an institution served twice, a missing module, a bad institution and a connector of the wrong name are each refused by name', async () => {
    assert.match(await refused({ RELINK_CONNECTORS: 'sandbox,sandbox' }), /^connector sandbox: another connector is named sandbox \(sandbox\)$/);
    const clash = await moduleFile(
      'clash.mjs',
      `export default { interfaceVersion: '1.0', name: 'other', institutions: [${institution('5f2d08be60b92e2888287000')}], create: () => (${connector}) };`,
    );
    assert.equal(
      await refused({ RELINK_CONNECTORS: `sandbox,${clash}` }),
      `connector ${clash}: institution 5f2d08be60b92e2888287000 is already served by sandbox`,
    );
    assert.match(await refused({ RELINK_CONNECTORS: join(dir, 'absent.mjs') }), /absent\.mjs: cannot be loaded \(ERR_MODULE_NOT_FOUND/);
    const badId = await moduleFile(
      'bad.mjs',
      `export default { interfaceVersion: '1.0', name: 'other', institutions: [${institution('42')}], create: () => (${connector}) };`,
    );
    assert.equal(await refused({ RELINK_CONNECTORS: badId }), `connector ${badId}: institution "42": id must be 24 lowercase hex digits`);
    const misnamed = await moduleFile(
      'misnamed.mjs',
      `export default { interfaceVersion: '1.0', name: 'another', institutions: [${institution('6a1f0000000000000000b001')}], create: () => (${connector}) };`,
    );
    assert.equal(await refused({ RELINK_CONNECTORS: misnamed }), `connector ${misnamed}: its connector is named "other", and the module "another"`);
  });
});
