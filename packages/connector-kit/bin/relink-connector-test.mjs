#!/usr/bin/env node
// `npx relink-connector-test <module|url>`: the connector contract's behaviour tests
// (src/conformance), run from the compiled JavaScript in dist/ that `npm install` builds. A
// connector module written in TypeScript is loaded through tsx when tsx is installed.
const target = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (target?.endsWith('.ts')) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('relink-connector-test: a TypeScript module needs tsx (npm install -D tsx) or compiling to JavaScript first\n');
    process.exit(1);
  }
}
let main;
try {
  ({ main } = await import('../dist/conformance/cli.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(`relink-connector-test: the build is missing (${error.message.split('\n')[0]}); run npm run build\n`);
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
