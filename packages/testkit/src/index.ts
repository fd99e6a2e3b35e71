/**
 * @relink/testkit: what the tests of the server, the SDK and the example app share, defined
 * once. Its entry points are the tiers a test runs on, so a test's imports say which it needs:
 *
 * - `@relink/testkit/wait`: the one bounded wait (`waitFor`, `retryUntil`), nothing started;
 * - `@relink/testkit`: real databases of each kind and a real server over them in this
 *   process, HTTP calls, linking and re-authorisation as a partner does them, a webhook
 *   receiver (and the wait);
 * - `@relink/testkit/browser`: Debian's Chromium and the widget in a page.
 *
 * The kit depends on @relink/server and @relink/sdk, never the reverse: no product source
 * imports it (test/direction.unit.test.ts holds that). What only the server's own tests use stays
 * beside them in packages/server/test/support; `relink` as a child process (process.ts) is one of those.
 */
export { waitFor, retryUntil, type RetryOptions } from './wait.ts';
export { databases, createTestDatabase, testConfig, TEST_MASTER_KEY, type DatabaseKind, type TestDatabase } from './databases.ts';
export { startTestServer, useServer, type TestServer } from './server.ts';
export { call, type HttpResult } from './http.ts';
export { SANDBOX, BUSINESS, PASSWORD, OTP, ANSWER, OBJECT_ID, CountingBank, partner, link, exchange, settle } from './linking.ts';
export { startReauthServer, resetLogin, linkedAccount, reauthSession, stepOn, type ReauthServer, type ResetReason } from './reauth.ts';
export { startReceiver, setEndpoint, ok, type Answer, type Received, type Receiver } from './receiver.ts';
