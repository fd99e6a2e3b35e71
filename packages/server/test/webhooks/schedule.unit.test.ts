// The webhook retry decision (webhooks/schedule.ts) on its own: Standard Webhooks' retry with
// jitter, 410 Gone, and a receiver's Retry-After (RFC 9110 §10.2.3), with the clock and the
// random source passed in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/webhooks/schedule.ts';

const SCHEDULE = [5, 300, 1800];
const NOW = Date.UTC(2026, 0, 1);
const answer = (statusCode: number | null, retryAfter: string | null = null) => ({ statusCode, retryAfter });

describe('webhook retry schedule: decide', () => {
  test('any 2xx succeeds', () => {
    for (const code of [200, 201, 204, 299]) assert.deepEqual(decide(answer(code), 1, SCHEDULE, NOW), { status: 'succeeded' });
  });

  test('410 Gone fails for good, even on the first attempt', () => {
    assert.deepEqual(decide(answer(410), 1, SCHEDULE, NOW), { status: 'failed', gone: true });
  });

  test('other answers and no answer retry after the schedule delay for that attempt, ±10%', () => {
    for (const [attempt, seconds] of SCHEDULE.entries()) {
      for (const code of [500, 404, 301, null]) {
        const low = decide(answer(code), attempt + 1, SCHEDULE, NOW, () => 0);
        const high = decide(answer(code), attempt + 1, SCHEDULE, NOW, () => 1);
        const mid = decide(answer(code), attempt + 1, SCHEDULE, NOW, () => 0.5);
        assert.deepEqual(low, { status: 'pending', nextAttemptAt: NOW + Math.round(seconds * 900) });
        assert.deepEqual(high, { status: 'pending', nextAttemptAt: NOW + Math.round(seconds * 1100) });
        assert.deepEqual(mid, { status: 'pending', nextAttemptAt: NOW + seconds * 1000 });
      }
    }
  });

  test('when the schedule runs out the delivery fails (not gone)', () => {
    assert.deepEqual(decide(answer(500), SCHEDULE.length + 1, SCHEDULE, NOW), { status: 'failed', gone: false });
    assert.deepEqual(decide(answer(500), 1, [], NOW), { status: 'failed', gone: false });
  });

  test('Retry-After longer than the schedule wins; shorter is ignored; it is capped at 24 h', () => {
    assert.deepEqual(
      decide(answer(503, '120'), 1, SCHEDULE, NOW, () => 0.5),
      { status: 'pending', nextAttemptAt: NOW + 120_000 },
    );
    assert.deepEqual(
      decide(answer(503, '1'), 1, SCHEDULE, NOW, () => 0.5),
      { status: 'pending', nextAttemptAt: NOW + 5_000 },
    );
    assert.deepEqual(
      decide(answer(429, String(7 * 86_400)), 1, SCHEDULE, NOW, () => 0.5),
      { status: 'pending', nextAttemptAt: NOW + MAX_RETRY_AFTER_MS },
    );
  });
});

describe('webhook retry schedule: parseRetryAfter', () => {
  test('delay-seconds and HTTP-dates, in milliseconds from now', () => {
    assert.equal(parseRetryAfter('30', NOW), 30_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
  });

  test('a date in the past is no wait; garbage and absence are undefined', () => {
    assert.equal(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW), 0);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
  });
});
