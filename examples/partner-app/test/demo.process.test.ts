import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { databases, waitFor } from '@relink/testkit';

const DEMO = new URL('../src/demo.ts', import.meta.url).pathname;

// `npm run demo` is SQLite only: it runs once, in the SQLite pass.
test('npm run demo: one address to open, the app answers there, a second start reuses the Sandbox app, Ctrl-C stops both', {
  skip: !databases().includes('sqlite'),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relink-demo-'));
  try {
    for (const run of [1, 2]) {
      const child = spawn(process.execPath, ['--import', 'tsx', DEMO], {
        env: { ...process.env, DEMO_DIR: dir, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitFor(() => /Open:/.test(out) || child.exitCode !== null, 60_000, `the demo to print its address (run ${run})`);
      const urls = out.match(/https?:\/\/[^\s]+/g) ?? [];
      assert.equal(urls.length, 1, `one URL in:\n${out}`);
      assert.match(urls[0]!, /^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await (await fetch(urls[0]!)).text();
      assert.match(page, /Sign in as Ada Obi/, `run ${run}`);
      if (run === 1) assert.equal(statSync(join(dir, 'relink', 'sandbox-app.json')).mode & 0o777, 0o600);
      child.kill('SIGINT');
      assert.equal(await exited, 0, out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
