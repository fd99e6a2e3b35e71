#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install` and `npm ci` run it): the TypeScript build
// (tsc -b), then the `relink` command's one-shot commands bundled into
// packages/server/dist/bundle/ by esbuild.
//
// Why a bundle: loading Kysely and the contract's schemas as some 700 separate ES modules was
// most of a one-shot command's start (docs/benchmarks.md, "The command's start"). The bundle
// holds Relink's own code, Kysely, ipaddr.js and the contract (with TypeBox, should a command
// come to need a schema), one chunk per command, so a command loads only its own. Every other
// package is loaded by Node at run time: better-sqlite3 (native), pino, and pg, undici and
// rate-limiter-flexible on first use (lib/lazy.ts).
// `relink serve` is not in it: the bundle imports dist/cli/serve.js, the same compiled module
// the tests and `npm start` have always run, so the server runs exactly as tsc built it.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const server = join(root, 'packages/server');
const BUNDLED = new Set(['kysely', 'typebox', 'ipaddr.js', '@relink/contract']);

// Run by npm (`npm install`'s prepare, `npm run build`), it says what it is doing, one line a
// step: a first build takes most of a minute and npm shows nothing else meanwhile. Run by the
// test runner and the other scripts, which build every time, it stays quiet.
const started = Date.now();
const told = ['prepare', 'build'].includes(process.env.npm_lifecycle_event ?? '');
const say = (line) => told && process.stdout.write(`relink build: ${line}\n`);

say('1/2 compiling TypeScript to packages/*/dist (tsc -b: contract, connector-kit, sdk, connect, server; under a minute the first time, seconds after)');
const compiled = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// Built beside the bundle, then swapped in with two renames: a `relink` started while a build
// runs (a test suite's, say, as `npm pack` and `npm run demo` build too) finds the old bundle or
// the new one, never a directory half deleted or half written.
const outdir = join(server, 'dist/bundle');
const fresh = `${outdir}.${process.pid}.new`;
const stale = `${outdir}.${process.pid}.old`;
rmSync(fresh, { recursive: true, force: true });
say('2/2 bundling the relink command into packages/server/dist/bundle (esbuild)');
await build({
  entryPoints: { main: join(server, 'dist/cli/main.js') },
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'relink-externals',
      setup(b) {
        b.onResolve({ filter: /^\.\/serve\.js$/ }, (args) =>
          args.importer.endsWith('/dist/cli/main.js') ? { path: '../cli/serve.js', external: true } : undefined,
        );
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
          return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
        });
      },
    },
  ],
});
if (existsSync(outdir)) renameSync(outdir, stale);
renameSync(fresh, outdir);
rmSync(stale, { recursive: true, force: true });
say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
