// `npx relink-connector-test`, as a connector's author runs it: a pass/fail table and the exit
// status, for a module by path (TypeScript, through tsx), an installed package, and a module
// that breaks the contract.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'npx',
      ['--no', 'relink-connector-test', ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npx relink-connector-test', () => {
  test('a connector that keeps the contract: every row PASS, exit 0', async () => {
    const { code, stdout, stderr } = await run(['examples/connector-lagoon/src/index.ts']);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /^Connector lagoon \(interface 1\.1\)\n/);
    assert.match(stdout, /^PASS {2}login: wrong password +invalid_credentials: "Invalid credentials"$/m);
    assert.match(stdout, /\n12 passed, 0 failed\n$/);
  });

  test('the broken connector: FAIL rows naming what is wrong, exit 1, and no credential printed', async () => {
    const { code, stdout } = await run(['packages/connector-kit/test/fixtures/broken.ts']);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^FAIL {2}login: wrong password +expected invalid_credentials, got unavailable/m);
    assert.match(stdout, /^FAIL {2}timeouts \(Relink’s signal\) +the slow login went on 2 s/m);
    assert.match(stdout, /\n8 passed, 4 failed\n$/);
    const table = stdout.slice(stdout.indexOf('Connector broken'));
    assert.doesNotMatch(table, /broken-pass/);
  });

  test('--json, and a usage error', async () => {
    const { stdout } = await run(['examples/connector-lagoon/src/index.ts', '--json']);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.equal(report.connector, 'lagoon');
    assert.equal(report.results.length, 12);
    const usage = await run([]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /name one connector module or URL/);
  });
});
