#!/usr/bin/env node
// `npm run bench`: every bench/*.bench.ts, one after another.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dir = new URL('../bench/', import.meta.url).pathname;
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort()) {
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', dir + file], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
