import type { WebhookDelivery } from '@relink/contract';
import type { ReauthEpisodeRow } from '../db/schema.ts';
import { stageOf } from './health.ts';
import type { EpisodeView, SessionSummary, SyncReport, TimelineEntry } from './model.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export interface SessionFacts {
  id: string;
  kind: 'link' | 'reauth';
  origin: 'partner' | 'public';
  status: string;
  /** The session's state JSON (`sessions/machine.ts`): only its `failure` is read. */
  state: string;
  created_at: number;
  updated_at: number;
}

export function sessionSummary(row: SessionFacts): SessionSummary {
  let failure: string | null = null;
  try {
    const state = JSON.parse(row.state) as { failure?: { message?: string } | null };
    failure = state.failure?.message ?? null;
  } catch {
    failure = null;
  }
  return { id: row.id, kind: row.kind, origin: row.origin, status: row.status, failure, created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}

/** Each episode with the reauth sessions opened while it waited. */
export function episodeViews(episodes: ReauthEpisodeRow[], sessions: SessionFacts[], now: number): EpisodeView[] {
  return episodes.map((e) => {
    const end = e.ended_at ?? now;
    return {
      id: e.id,
      cause: e.cause,
      required_at: iso(e.started_at),
      steps: {
        sessions: e.sessions,
        session_at: isoOrNull(e.session_at),
        login_at: isoOrNull(e.login_at),
        challenge_at: isoOrNull(e.challenge_at),
        ended_at: isoOrNull(e.ended_at),
      },
      outcome: e.outcome,
      stage: stageOf(e),
      seconds: Math.max(0, end - e.started_at) / 1000,
      sessions: sessions
        .filter((s) => s.kind === 'reauth' && s.created_at >= e.started_at && s.created_at <= end)
        .sort((a, b) => a.created_at - b.created_at)
        .map(sessionSummary),
    };
  });
}

/** What an `account_updated` or `sync_failed` body says of a sync; null for other events. */
export function syncReport(type: string, body: string): SyncReport | null {
  if (type !== 'mono.events.account_updated' && type !== 'mono.events.sync_failed') return null;
  try {
    const data = (JSON.parse(body) as { data?: { meta?: { sync_status?: SyncReport['status']; sync_error?: string }; reason?: string } }).data;
    if (type === 'mono.events.sync_failed') return { status: 'FAILED', error: data?.reason ?? null };
    return { status: data?.meta?.sync_status ?? null, error: data?.meta?.sync_error ?? null };
  } catch {
    return null;
  }
}

/** Every entry, oldest first; ties keep the order below (a link before its events). */
export function timeline(input: {
  account: { created_at: number; unlinked_at: number | null };
  episodes: ReauthEpisodeRow[];
  sessions: SessionFacts[];
  events: { id: string; type: string; body: string; created_at: number }[];
  deliveries: WebhookDelivery[];
  jobs: { id: string; name: string; status: string; error: string | null; started_at: number }[];
}): TimelineEntry[] {
  const entries: { ms: number; entry: TimelineEntry }[] = [];
  const add = (ms: number, entry: TimelineEntry) => entries.push({ ms, entry });
  add(input.account.created_at, { at: iso(input.account.created_at), kind: 'linked' });
  for (const s of input.sessions) add(s.created_at, { at: iso(s.created_at), kind: 'session', session: sessionSummary(s) });
  for (const e of input.episodes) {
    add(e.started_at, { at: iso(e.started_at), kind: 'reauth_required', episode: e.id, cause: e.cause });
    if (e.ended_at !== null && e.outcome !== null) {
      add(e.ended_at, { at: iso(e.ended_at), kind: 'reauth_ended', episode: e.id, outcome: e.outcome, seconds: (e.ended_at - e.started_at) / 1000 });
    }
  }
  for (const j of input.jobs) add(j.started_at, { at: iso(j.started_at), kind: 'realtime_job', id: j.id, name: j.name, status: j.status, error: j.error });
  // Read newest first: put back in the order they were recorded, for ties within a millisecond.
  for (const e of [...input.events].reverse()) {
    add(e.created_at, {
      at: iso(e.created_at),
      kind: 'event',
      id: e.id,
      type: e.type,
      sync: syncReport(e.type, e.body),
      deliveries: input.deliveries.filter((d) => d.event_id === e.id),
    });
  }
  if (input.account.unlinked_at !== null) add(input.account.unlinked_at, { at: iso(input.account.unlinked_at), kind: 'unlinked' });
  return entries
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .map((e) => e.entry);
}
