// The re-authorisation health figures from episode rows, without a database: which episodes a
// window counts, the percentiles, the funnel and where people stopped, and the daily series.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dailySeries, type EpisodeFacts, quantile, stageOf, windowHealth } from '../../src/operations/health.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 8, 12);
const BANK = '5f2d08be60b92e2888287000';

function episode(startedDaysAgo: number, changes: Partial<EpisodeFacts> = {}): EpisodeFacts {
  return {
    cause: 'password_changed',
    institution_id: BANK,
    started_at: NOW - startedDaysAgo * DAY,
    ended_at: null,
    outcome: null,
    sessions: 0,
    session_at: null,
    login_at: null,
    challenge_at: null,
    ...changes,
  };
}
const done = (startedDaysAgo: number, minutes: number, changes: Partial<EpisodeFacts> = {}) => {
  const started = NOW - startedDaysAgo * DAY;
  return episode(startedDaysAgo, { ended_at: started + minutes * 60_000, outcome: 'completed', sessions: 1, session_at: started, ...changes });
};

describe('reauth health', () => {
  test('quantile is the nearest rank', () => {
    assert.equal(quantile([], 0.5), null);
    assert.equal(quantile([7], 0.9), 7);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1), 10);
  });

  test('a stage is the furthest step reached', () => {
    assert.equal(stageOf(episode(1)), 'none');
    assert.equal(stageOf(episode(1, { sessions: 2 })), 'session');
    assert.equal(stageOf(episode(1, { sessions: 1, login_at: 1 })), 'login');
    assert.equal(stageOf(episode(1, { sessions: 1, challenge_at: 1 })), 'challenge');
    assert.equal(stageOf(done(1, 5)), 'done');
  });

  test('a window counts what began in it, and what ended in it wherever it began', () => {
    const episodes = [
      done(2, 10),
      done(3, 30, { cause: 'mfa_required', challenge_at: 1 }),
      episode(4, { sessions: 1, challenge_at: 1 }),
      episode(5, { ended_at: NOW - DAY, outcome: 'unlinked' }),
      // Began before the week, came back inside it: counted as came back, not as broke.
      done(9, 60 * 24 * 4),
      episode(40),
    ];
    const week = windowHealth(episodes, NOW, 7, (id) => (id === BANK ? 'Relink Sandbox Bank' : id));
    assert.equal(week.began, 4);
    assert.equal(week.reauthorised, 3);
    assert.equal(week.abandoned, 1);
    assert.equal(week.success_share, 0.5);
    assert.equal(week.median_seconds, 30 * 60);
    assert.equal(week.p90_seconds, 4 * 86_400);
    assert.deepEqual(week.funnel, { began: 4, session: 3, login: 0, challenge: 2, done: 2, stopped: { none: 1, session: 0, login: 0, challenge: 1 } });
    assert.deepEqual(week.by_reason, [
      { key: 'password_changed', name: 'password_changed', began: 3, reauthorised: 1, waiting: 1, median_seconds: 600 },
      { key: 'mfa_required', name: 'mfa_required', began: 1, reauthorised: 1, waiting: 0, median_seconds: 1800 },
    ]);
    assert.deepEqual(week.by_institution, [{ key: BANK, name: 'Relink Sandbox Bank', began: 4, reauthorised: 2, waiting: 1, median_seconds: 600 }]);
    const none = windowHealth([], NOW, 7, (id) => id);
    assert.deepEqual([none.began, none.success_share, none.median_seconds, none.p90_seconds], [0, null, null, null]);
  });

  test('the daily series has one UTC day per entry, today last', () => {
    const series = dailySeries([done(0, 10), done(0, 30), episode(1), done(29, 60 * 24), episode(30)], NOW, 30);
    assert.equal(series.length, 30);
    assert.equal(series.at(-1)!.day, '2026-12-08');
    assert.equal(series[0]!.day, '2026-11-09');
    assert.deepEqual(series.at(-1), { day: '2026-12-08', broke: 2, came_back: 2, median_seconds: 600 });
    assert.deepEqual(series.at(-2), { day: '2026-12-07', broke: 1, came_back: 0, median_seconds: null });
    assert.deepEqual(series.at(-29), { day: '2026-11-10', broke: 0, came_back: 1, median_seconds: 86_400 });
    assert.deepEqual(series[0], { day: '2026-11-09', broke: 1, came_back: 0, median_seconds: null });
  });
});
