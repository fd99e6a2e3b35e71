// The kit depends on the product, never the reverse: no product source imports the kit and no
// product package lists it as a dependency; one package's tests reach another's helpers
// through the kit only, never by a path into its test folder; and within a package a test
// folder shares helpers through test/support/ only, so no two test folders import each other.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');
const workspaces: string[] = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;
const product = workspaces.filter((dir) => dir !== 'packages/testkit');

function sources(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|tsx|mjs|js)$/.test(name) ? [path] : [];
  });
}

const specifiers = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

test('no product source imports the test kit, and no product package depends on it', () => {
  const offending = product.flatMap((dir) =>
    sources(join(ROOT, dir, 'src')).flatMap((file) =>
      specifiers(file)
        .filter(
          (spec) => spec.startsWith('@relink/testkit') || (spec.startsWith('.') && relative(ROOT, resolve(dirname(file), spec)).startsWith('packages/testkit')),
        )
        .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
    ),
  );
  assert.deepEqual(offending, []);
  for (const dir of product) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    assert.equal(manifest.dependencies?.['@relink/testkit'], undefined, `${dir}/package.json lists the kit as a dependency`);
  }
});

test('tests reach another package’s helpers through the kit, not through its test folder', () => {
  const offending = product.flatMap((dir) =>
    sources(join(ROOT, dir, 'test')).flatMap((file) =>
      specifiers(file)
        .filter((spec) => spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(join(ROOT, dir) + '/'))
        .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
    ),
  );
  assert.deepEqual(offending, []);
});

test('a test folder imports from no other test folder but support/', () => {
  const offending = product.flatMap((dir) => {
    const tests = join(ROOT, dir, 'test');
    /** The folder under test/ that holds `path`, or '' for a file of test/ itself. */
    const folderOf = (path: string) => (relative(tests, path).includes('/') ? relative(tests, path).split('/')[0]! : '');
    return sources(tests).flatMap((file) =>
      specifiers(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => resolve(dirname(file), spec))
        .filter((target) => target.startsWith(tests + '/') && ![folderOf(file), '', 'support'].includes(folderOf(target)))
        .map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`),
    );
  });
  assert.deepEqual(offending, []);
});
