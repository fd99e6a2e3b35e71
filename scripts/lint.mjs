#!/usr/bin/env node
// `npm run lint`: ESLint, dependency-cruiser's import rules (file and folder cycles, layers),
// knip (unused files, exports, dependencies) and whether docs/architecture.md's folder diagram is
// the code's (scripts/architecture.mjs --check), all run to the end, their reports printed one
// after another, and the exit status non-zero when any of them found something.
// docs/development.md has what each checks and what it costs. Names as arguments run only those
// checks: `npm run lint -- deps` (eslint, deps, folders, knip, architecture).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules/.bin', name);
const CRUISED = ['packages', 'examples', 'scripts', 'bench'];

const CHECKS = {
  eslint: [bin('eslint'), ['--max-warnings=0', '.']],
  deps: [bin('depcruise'), ['--config', '.dependency-cruiser.mjs', '--output-type', 'err', ...CRUISED]],
  folders: [bin('depcruise'), ['--config', '.dependency-cruiser.folders.mjs', '--output-type', 'err', ...CRUISED]],
  knip: [bin('knip'), ['--no-progress']],
  architecture: [process.execPath, [join(root, 'scripts/architecture.mjs'), '--check']],
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in CHECKS)) {
    process.stderr.write(`lint: no check named ${name} (${Object.keys(CHECKS).join(', ')})\n`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : Object.keys(CHECKS);

// Run side by side: ESLint's type-aware pass is most of the time and mostly one core.
const started = Date.now();
const results = await Promise.all(names.map((name) => run(name, ...CHECKS[name])));
let failed = 0;
for (const { name, code, output, ms } of results) {
  process.stdout.write(`\n== ${name} (${(ms / 1000).toFixed(1)} s): ${code === 0 ? 'clean' : 'FAILED'}\n${output}`);
  if (code !== 0) failed++;
}
process.stdout.write(`\nlint: ${names.length - failed} of ${names.length} checks clean in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(failed > 0 ? 1 : 0);

function run(name, command, args) {
  const start = Date.now();
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (process.stdout.isTTY) env.FORCE_COLOR = '1';
    else {
      delete env.FORCE_COLOR;
      env.NO_COLOR = '1';
    }
    const child = spawn(command, args, { cwd: root, env });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: `${error.message}\n`, ms: Date.now() - start }));
    child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString(), ms: Date.now() - start }));
  });
}
