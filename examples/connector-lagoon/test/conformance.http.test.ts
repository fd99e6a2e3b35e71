// The Lagoon Trust Bank connector proves itself with the conformance kit, as its author would
// in the connector's own repository: every check passes in process, and over the connector
// protocol (where the log check is skipped, its logs being the service's own).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { capturingConsole, loadTarget, runConformance } from '@relink/connector-kit/conformance';
import { serveConnector } from '@relink/connector-kit/protocol';
import lagoon from '../src/index.ts';

describe('Lagoon Trust Bank: conformance', () => {
  test('the Lagoon example passes every check in process', async () => {
    const target = await loadTarget(new URL('../src/index.ts', import.meta.url).pathname);
    const results = await capturingConsole(() => runConformance(target));
    assert.deepEqual(
      results.filter((r) => r.status !== 'pass'),
      [],
    );
    assert.equal(results.length, 12);
  });

  test('over the protocol it passes too, the log check skipped with the reason', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const service = await serveConnector(lagoon, { secret });
    try {
      const results = await runConformance(await loadTarget(service.url, { secret }));
      const notPassed = results.filter((r) => r.status !== 'pass');
      assert.deepEqual(
        notPassed.map((r) => [r.check, r.status]),
        [['no credential in logs or messages', 'skip']],
      );
      assert.match(notPassed[0]!.detail, /logs are not visible from here/);
    } finally {
      await service.close();
    }
  });
});
