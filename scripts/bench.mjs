#!/usr/bin/env node
// `npm run bench`: every bench/*.bench.mjs (out of process: the built server, autocannon in
// another process, a bare Fastify floor), then every bench/*.bench.ts (in process, through tsx).
// Builds first, so the server measured is the source in this checkout.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const dir = new URL('../bench/', import.meta.url).pathname;
const built = spawnSync(process.execPath, [root + 'scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(1);
let failed = 0;
const files = readdirSync(dir).filter((f) => /\.bench\.(mjs|ts)$/.test(f));
for (const file of [...files.filter((f) => f.endsWith('.mjs')).sort(), ...files.filter((f) => f.endsWith('.ts')).sort()]) {
  const args = file.endsWith('.ts') ? ['--conditions=source', '--import', 'tsx', dir + file] : [dir + file];
  const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
