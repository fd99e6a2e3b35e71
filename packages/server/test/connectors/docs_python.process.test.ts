// docs/connectors.md's connector in another language, run as the page shows it: the Python
// script in its `harmattan_bank.py` block, on loopback, passes the conformance kit over the
// connector protocol, and Relink links accounts through it on both databases. The script stops
// by itself when its standard input closes.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadTarget, runConformance } from '@relink/connector-kit/conformance';
import { call, databases, partner, settle, startTestServer } from '@relink/testkit';
import { ROOT } from '../support/process.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const HARMATTAN = '6a1f0000000000000000e001';

async function scriptFromDocs(): Promise<string> {
  const page = await readFile(join(ROOT, 'docs/connectors.md'), 'utf8');
  const start = page.indexOf('<!-- harmattan_bank.py -->\n```python\n');
  assert.ok(start >= 0, 'docs/connectors.md has the harmattan_bank.py block');
  const body = page.slice(page.indexOf('\n', page.indexOf('```python', start)) + 1);
  return body.slice(0, body.indexOf('\n```\n'));
}

describe('docs/connectors.md: the Python connector', () => {
  let dir: string;
  let python: ChildProcess;
  let url: string;
  let stderr = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relink-python-'));
    await writeFile(join(dir, 'harmattan_bank.py'), await scriptFromDocs());
    python = spawn('python3', ['harmattan_bank.py', '0'], {
      cwd: dir,
      env: { PATH: process.env.PATH, CONNECTOR_SECRET: SECRET },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    python.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the script printed no URL: ${out} ${stderr}`)), 15_000);
      python.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      python.on('exit', (code) => reject(new Error(`python3 exited (${code}): ${stderr}`)));
    });
  });
  after(async () => {
    const exited = new Promise((resolve) => python.once('exit', resolve));
    python.stdin!.end();
    const stopped = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 5_000))]);
    if (!stopped) python.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    assert.equal(stopped, true, 'the script stops by itself when its input closes');
  });

  test('the conformance kit passes it over the protocol (its logs are its own: that check is skipped)', async () => {
    const results = await runConformance(await loadTarget(url, { secret: SECRET }));
    assert.deepEqual(
      results.filter((r) => r.status !== 'pass').map((r) => `${r.check}: ${r.status}`),
      ['no credential in logs or messages: skip'],
    );
    assert.doesNotMatch(stderr, /harmattan-pass|4321/, 'its own log lines hold no credential either');
  });

  for (const kind of databases()) {
    test(`[${kind}] Relink lists Harmattan Bank beside the sandbox and links through it: an OTP, then a choice of accounts`, async () => {
      const server = await startTestServer(kind, { env: { RELINK_CONNECTORS: 'sandbox', RELINK_CONNECTOR_URLS: url, RELINK_CONNECTOR_SECRET: SECRET } });
      try {
        const key = (await server.createApp('Harmattan partner')).secretKey;
        const banks = await call(server.url, 'GET', '/v3/institutions', { key });
        assert.ok(banks.body.data.some((i: { _id: string; name: string }) => i._id === HARMATTAN && i.name === 'Harmattan Bank'));
        const relink = partner(server, key);
        const customer = { name: 'Sola Ajayi', email: `sola.${kind}@example.com` };
        const { session } = await relink.connect.createSession({ institution: HARMATTAN, auth_method: 'internet_banking', scope: 'financial_data', customer });
        const otp = await relink.connect.login(session.id, { username: 'sola', password: 'harmattan-pass' });
        assert.equal(otp.responseCode, 102, JSON.stringify(otp));
        const done = await relink.connect.commit(session.id, { otp: '4321' });
        assert.equal(done.responseCode, 99, JSON.stringify(done));
        const { id } = await relink.accounts.exchange(done.data.code);
        await settle(server);
        const account = await relink.accounts.get(id);
        assert.equal(account.account.institution.name, 'Harmattan Bank');
        assert.equal(account.meta.data_status, 'AVAILABLE', JSON.stringify(account.meta));
        const transactions = await call(server.url, 'GET', `/v2/accounts/${id}/transactions`, { key });
        assert.equal(transactions.body.data.length, 9, transactions.text);

        const second = await relink.connect.createSession({
          institution: HARMATTAN,
          auth_method: 'internet_banking',
          scope: 'financial_data',
          customer: { name: 'Kemi', email: `kemi.${kind}@example.com` },
        });
        const choice = await relink.connect.login(second.session.id, { username: 'kemi', password: 'harmattan-pass' });
        assert.equal(choice.responseCode, 101, JSON.stringify(choice));
        const picked = await relink.connect.commit(second.session.id, { accountNumber: '4100000003' });
        assert.equal(picked.responseCode, 99, JSON.stringify(picked));
      } finally {
        await server.stop();
      }
    });
  }
});
