// `npm pack` of the SDK and the contract it depends on, installed in a plain Node project
// outside the repository: it imports, its types check with the project's own tsc, and it
// talks to a real Relink server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { databases, startTestServer, type TestServer } from '@relink/testkit';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

describe('SDK: npm pack, installed outside the repository', () => {
  let dir: string;
  let project: string;
  let server: TestServer;
  let key: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relink-pack-'));
    project = join(dir, 'partner');
    await mkdir(project);
    await run('npm', ['pack', '--workspace', 'packages/contract', '--workspace', 'packages/sdk', '--pack-destination', dir], { cwd: root });
    const tarballs = (await readdir(dir)).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f));
    assert.equal(tarballs.length, 2, String(tarballs));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'partner', private: true, type: 'module' }));
    // TypeBox, the contract's one dependency, comes from npm's cache when it is there.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: project, timeout: 120_000 });
    server = await startTestServer(databases()[0]!);
    key = (await server.createApp('Packed partner')).secretKey;
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the installed package holds only what it needs: no repository paths, no test files', async () => {
    const sdk = await readdir(join(project, 'node_modules/@relink/sdk'));
    assert.deepEqual(sdk.sort(), ['dist', 'package.json', 'src']);
    assert.ok(!(await readdir(join(project, 'node_modules/@relink/sdk/dist'))).some((f) => f.includes('test')));
    const installed = (await readdir(join(project, 'node_modules'))).sort();
    assert.deepEqual(
      installed.filter((f) => !f.startsWith('.')),
      ['@relink', 'typebox'],
    );
  });

  test('it imports in plain Node and lists institutions from a running Relink', async () => {
    await writeFile(
      join(project, 'check.mjs'),
      `import { Relink, verifyWebhook, ReauthTracker, RelinkError } from '@relink/sdk';
const relink = new Relink({ secretKey: process.env.KEY, baseUrl: process.env.BASE });
const banks = await relink.institutions.list();
const bad = await new Relink({ secretKey: 'nope', baseUrl: process.env.BASE }).institutions.list().catch((e) => e);
console.log(JSON.stringify({ banks: banks.map((b) => b.name), verify: typeof verifyWebhook, tracker: typeof ReauthTracker, error: bad instanceof RelinkError && bad.code }));`,
    );
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: project, env: { ...process.env, KEY: key, BASE: server.url, NODE_OPTIONS: '' } });
    const out = JSON.parse(stdout) as { banks: string[]; verify: string; tracker: string; error: string };
    assert.ok(out.banks.includes('Relink Sandbox Bank'), stdout);
    assert.deepEqual([out.verify, out.tracker, out.error], ['function', 'function', 'INVALID_API_KEY']);
  });

  test("its .d.ts files type-check a partner's TypeScript, narrowing a step reply on responseCode", async () => {
    await writeFile(
      join(project, 'check.ts'),
      `import { Relink, type StepReply } from '@relink/sdk';
const relink = new Relink({ secretKey: 'k', baseUrl: 'http://127.0.0.1:1' });
export async function next(reply: StepReply): Promise<string | number | null> {
  switch (reply.responseCode) {
    case 99: return reply.data.code;
    case 101: return reply.data.accounts[0]!.accountNumber;
    case 102: return reply.data.userInput.form.length;
  }
  return (await relink.accounts.get('x')).account.balance;
}
// @ts-expect-error a 99 has no userInput
export const wrong = (reply: Extract<StepReply, { responseCode: 99 }>) => reply.data.userInput;
`,
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', project], { cwd: project }).catch((e: { stdout: string }) => e);
    assert.equal('stdout' in result ? result.stdout : '', '', 'tsc found no errors');
  });
});
