// scripts/postgres.mjs decides whether the user embedded PostgreSQL runs as (when root starts it)
// can reach a path: a clone under root's 0700 home cannot be reached, /tmp can.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const { reachableByOthers } = (await import(String(new URL('../../scripts/postgres.mjs', import.meta.url)))) as {
  reachableByOthers(path: string): boolean;
};

const root = mkdtempSync(join(tmpdir(), 'relink-reach-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a path is reachable by others only when it and every directory above it are searchable by others', () => {
  chmodSync(root, 0o755);
  const open = join(root, 'open');
  const closed = join(root, 'closed');
  mkdirSync(join(open, 'bin'), { recursive: true, mode: 0o755 });
  mkdirSync(join(closed, 'bin'), { recursive: true });
  chmodSync(closed, 0o700);
  for (const dir of [open, closed]) {
    writeFileSync(join(dir, 'bin', 'initdb'), '');
    chmodSync(join(dir, 'bin', 'initdb'), 0o755);
  }
  assert.equal(reachableByOthers(join(open, 'bin', 'initdb')), true);
  assert.equal(reachableByOthers(join(closed, 'bin', 'initdb')), false, 'a 0700 directory above it, as root’s home');
  assert.equal(reachableByOthers(closed), false);
  chmodSync(join(open, 'bin', 'initdb'), 0o700);
  assert.equal(reachableByOthers(join(open, 'bin', 'initdb')), false, 'not executable by others');
  chmodSync(root, 0o700);
  assert.equal(reachableByOthers(open), false, 'any directory above counts');
  assert.equal(reachableByOthers('/'), true);
});
