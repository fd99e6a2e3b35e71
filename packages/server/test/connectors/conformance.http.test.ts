// Relink's own connector passes the conformance kit (relink-connector-test): the sandbox bank
// module in process, and the same module served over the connector protocol.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { capturingConsole, loadTarget, runConformance } from '@relink/connector-kit/conformance';
import { serveConnector } from '@relink/connector-kit/protocol';
import { sandboxModule } from '../../src/connectors/sandbox/index.ts';

const MODULE = new URL('../../src/connectors/sandbox/module.ts', import.meta.url).pathname;

describe('conformance: the sandbox bank', () => {
  test('in process, every check passes', async () => {
    const results = await capturingConsole(async () => runConformance(await loadTarget(MODULE)));
    assert.deepEqual(
      results.filter((r) => r.status !== 'pass'),
      [],
    );
  });

  test('as a connector service, every check passes but the log check, which cannot see its logs', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const service = await serveConnector(sandboxModule(), { secret });
    try {
      const results = await runConformance(await loadTarget(service.url, { secret }));
      assert.deepEqual(
        results.filter((r) => r.status !== 'pass').map((r) => `${r.check}: ${r.status}`),
        ['no credential in logs or messages: skip'],
      );
    } finally {
      await service.close();
    }
  });
});
