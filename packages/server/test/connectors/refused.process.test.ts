// `relink serve` as an operator starts it, with a connector it must refuse: one line on stderr
// naming the connector and the problem, exit 1, before it listens.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, relink } from '../support/process.ts';

describe('relink serve refuses a connector it cannot run', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relink-refused-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const serve = (vars: Record<string, string>) =>
    relink(['serve', '--port', '0', '--host', '127.0.0.1', '--data', join(dir, 'data')], {
      RELINK_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      ...vars,
    });

  test('a connector of another interface major: one line with both versions, exit 1', async () => {
    const file = join(dir, 'future.mjs');
    await writeFile(file, "export default { interfaceVersion: '2.0', name: 'future', institutions: [], create() {} };\n");
    const run = await serve({ RELINK_CONNECTORS: `sandbox,${file}` });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.stderr, `relink: connector ${file}: implements connector interface 2.0, and this Relink runs 1.x (1.1): use a connector built for 1.x\n`);
    assert.doesNotMatch(run.stdout, /listening/);
  });

  test('a connector service without the shared secret, and a connector service that is not there', async () => {
    const unsigned = await serve({ RELINK_CONNECTOR_URLS: 'http://127.0.0.1:9' });
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /^relink: invalid configuration: RELINK_CONNECTOR_SECRET must be set when RELINK_CONNECTOR_URLS is/);
    const url = `http://127.0.0.1:${await freePort()}`;
    const absent = await serve({ RELINK_CONNECTOR_URLS: url, RELINK_CONNECTOR_SECRET: Buffer.alloc(32, 1).toString('base64') });
    assert.equal(absent.code, 1);
    assert.equal(absent.stderr, `relink: connector service ${url}: cannot read its manifest (ECONNREFUSED)\n`);
  });
});
