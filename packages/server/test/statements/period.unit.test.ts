// A statement's period as times: `last{N}months` ends now and starts at the same moment N
// calendar months earlier, on the month's last day when that month is shorter; and how much of
// it the stored history covers (format=v2's `available_length`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableMonths, periodRange } from '../../src/statements/period.ts';

const at = (iso: string) => Date.parse(iso);

test('last1months … last12months start the same day and time N months back', () => {
  const now = at('2026-12-07T22:33:39.123Z');
  assert.deepEqual(periodRange('last1months', now), { period: 'last1months', months: 1, start: at('2026-11-07T22:33:39.123Z'), end: now });
  assert.equal(periodRange('last3months', now).start, at('2026-09-07T22:33:39.123Z'));
  assert.equal(periodRange('last12months', now).start, at('2025-12-07T22:33:39.123Z'));
  assert.equal(periodRange('last12months', now).months, 12);
});

test('a day the earlier month lacks becomes its last day, across leap years and the year’s turn', () => {
  assert.equal(periodRange('last1months', at('2026-03-31T10:00:00Z')).start, at('2026-02-28T10:00:00Z'));
  assert.equal(periodRange('last1months', at('2028-03-31T10:00:00Z')).start, at('2028-02-29T10:00:00Z'));
  assert.equal(periodRange('last2months', at('2026-01-31T00:00:00Z')).start, at('2025-11-30T00:00:00Z'));
  assert.equal(periodRange('last6months', at('2026-08-31T23:59:59.999Z')).start, at('2026-02-28T23:59:59.999Z'));
});

test('available months: none without history, the whole period when history reaches past it, else the months it spans', () => {
  const range = periodRange('last6months', at('2026-12-07T00:00:00Z'));
  assert.equal(availableMonths(range, undefined), 0);
  assert.equal(availableMonths(range, at('2027-01-01T00:00:00Z')), 0);
  assert.equal(availableMonths(range, at('2020-01-01T00:00:00Z')), 6);
  assert.equal(availableMonths(range, at('2026-11-20T00:00:00Z')), 1);
  assert.equal(availableMonths(range, at('2026-12-06T00:00:00Z')), 1);
  assert.equal(availableMonths(range, at('2026-09-01T00:00:00Z')), 4);
});
