// The conformance kit against a connector with four deliberate faults: it fails exactly those
// four checks, each for its own reason, and nothing else. (Connectors that keep the contract
// pass it: the sandbox bank's test in the server, the Lagoon example's own.)
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { capturingConsole, loadTarget, runConformance, type CheckResult } from '@relink/connector-kit/conformance';

const BROKEN = resolve(import.meta.dirname, 'fixtures/broken.ts');
const byCheck = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r]));

describe('conformance kit', () => {
  test('the broken connector fails the four checks it breaks, for the right reasons, and passes the rest', async () => {
    const target = await loadTarget(BROKEN);
    const results = byCheck(await capturingConsole(() => runConformance(target)));
    const failed = Object.values(results)
      .filter((r) => r.status === 'fail')
      .map((r) => r.check);
    assert.deepEqual(failed, ['login: wrong password', 'data paging (since)', 'timeouts (Relink’s signal)', 'no credential in logs or messages']);
    assert.match(results['login: wrong password']!.detail, /^expected invalid_credentials, got unavailable \("Broken Bank is down"\)$/);
    assert.match(results['data paging (since)']!.detail, /must give exactly the 1 later transactions \(same ids\), got 4/);
    assert.match(results['timeouts (Relink’s signal)']!.detail, /went on 2 s after its signal aborted/);
    assert.match(results['no credential in logs or messages']!.detail, /log line\(s\) hold a credential, e\.g\. login good with <credential>/);
    assert.doesNotMatch(results['no credential in logs or messages']!.detail, /broken-pass/, 'the report does not repeat the credential');
    for (const check of ['login: right password', 'login: locked user', 'login: bank down', 'MFA: one-time password', 'account choice', 'error mapping']) {
      assert.equal(results[check]!.status, 'pass', `${check}: ${results[check]!.detail}`);
    }
  });
});
