import type { ReauthEpisodeRow } from '../db/schema.ts';
import type { Breakdown, DayHealth, EpisodeStage, Funnel, WindowHealth } from './model.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What `reauthHealth` reads of an episode. */
export type EpisodeFacts = Pick<
  ReauthEpisodeRow,
  'cause' | 'institution_id' | 'started_at' | 'ended_at' | 'outcome' | 'sessions' | 'session_at' | 'login_at' | 'challenge_at'
>;

/** The last step an episode's person reached. */
export function stageOf(e: Pick<EpisodeFacts, 'outcome' | 'sessions' | 'login_at' | 'challenge_at'>): EpisodeStage {
  if (e.outcome === 'completed') return 'done';
  if (e.challenge_at !== null) return 'challenge';
  if (e.login_at !== null) return 'login';
  return e.sessions > 0 ? 'session' : 'none';
}

/** The `q`-quantile (0..1) by nearest rank, of numbers sorted ascending; null for none. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const secondsOf = (e: EpisodeFacts) => (e.ended_at! - e.started_at) / 1000;
const sortedSeconds = (episodes: EpisodeFacts[]) => episodes.map(secondsOf).sort((a, b) => a - b);

/**
 * Re-authorisation over the `days` before `now`: the episodes that began in it (with their
 * breakdowns and how far they got), and those that ended in it (came back, gave up, how long
 * they took), wherever they began.
 */
export function windowHealth(episodes: EpisodeFacts[], now: number, days: number, institutionName: (id: string) => string): WindowHealth {
  const since = now - days * DAY_MS;
  // No upper bound: a row stamped by an instance whose clock runs ahead still counts.
  const began = episodes.filter((e) => e.started_at >= since);
  const ended = episodes.filter((e) => e.ended_at !== null && e.ended_at >= since);
  const reauthorised = ended.filter((e) => e.outcome === 'completed');
  const times = sortedSeconds(reauthorised);
  const doneOfBegan = began.filter((e) => e.outcome === 'completed').length;
  return {
    days,
    began: began.length,
    reauthorised: reauthorised.length,
    abandoned: ended.length - reauthorised.length,
    success_share: began.length === 0 ? null : doneOfBegan / began.length,
    median_seconds: quantile(times, 0.5),
    p90_seconds: quantile(times, 0.9),
    by_reason: breakdown(
      began,
      (e) => e.cause,
      (key) => key,
    ),
    by_institution: breakdown(began, (e) => e.institution_id, institutionName),
    funnel: funnel(began),
  };
}

function breakdown(episodes: EpisodeFacts[], keyOf: (e: EpisodeFacts) => string, nameOf: (key: string) => string): Breakdown[] {
  const groups = new Map<string, EpisodeFacts[]>();
  for (const e of episodes) groups.set(keyOf(e), [...(groups.get(keyOf(e)) ?? []), e]);
  return [...groups]
    .map(([key, group]) => {
      const done = group.filter((e) => e.outcome === 'completed');
      return {
        key,
        name: nameOf(key),
        began: group.length,
        reauthorised: done.length,
        waiting: group.filter((e) => e.ended_at === null).length,
        median_seconds: quantile(sortedSeconds(done), 0.5),
      };
    })
    .sort((a, b) => b.began - a.began || a.key.localeCompare(b.key));
}

function funnel(episodes: EpisodeFacts[]): Funnel {
  const stopped = { none: 0, session: 0, login: 0, challenge: 0 };
  for (const e of episodes) {
    const stage = stageOf(e);
    if (stage !== 'done') stopped[stage]++;
  }
  return {
    began: episodes.length,
    session: episodes.filter((e) => e.sessions > 0).length,
    login: episodes.filter((e) => e.login_at !== null).length,
    challenge: episodes.filter((e) => e.challenge_at !== null).length,
    done: episodes.filter((e) => e.outcome === 'completed').length,
    stopped,
  };
}

/** One entry per UTC day, the `days` days up to and including `now`'s: broke, came back, median time of those. */
export function dailySeries(episodes: EpisodeFacts[], now: number, days: number): DayHealth[] {
  const today = Math.floor(now / DAY_MS);
  const first = today - days + 1;
  const broke = new Array<number>(days).fill(0);
  const back: number[][] = Array.from({ length: days }, () => []);
  for (const e of episodes) {
    const started = Math.floor(e.started_at / DAY_MS) - first;
    if (started >= 0 && started < days) broke[started]!++;
    if (e.outcome === 'completed' && e.ended_at !== null) {
      const ended = Math.floor(e.ended_at / DAY_MS) - first;
      if (ended >= 0 && ended < days) back[ended]!.push(secondsOf(e));
    }
  }
  return broke.map((n, i) => ({
    day: new Date((first + i) * DAY_MS).toISOString().slice(0, 10),
    broke: n,
    came_back: back[i]!.length,
    median_seconds: quantile(
      back[i]!.sort((a, b) => a - b),
      0.5,
    ),
  }));
}
