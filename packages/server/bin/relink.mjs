#!/usr/bin/env node
// The `relink` command runs the compiled JavaScript in dist/, which `npm install` builds
// (`npm run build` rebuilds it after a change to src/): the one-shot commands from the bundle
// in dist/bundle/, `relink serve` from dist/cli/serve.js (scripts/build.mjs says why).
let main;
try {
  ({ main } = await import('../dist/bundle/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(`relink: the build is missing (${error.message.split('\n')[0]}); run npm run build\n`);
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
