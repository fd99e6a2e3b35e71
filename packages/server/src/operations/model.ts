/**
 * What the operator service returns (`OperationsService`): plain, JSON-ready objects, snake
 * case like the API, times as ISO 8601 strings (null when it never happened), durations in
 * seconds. The CLI prints them (`--json` prints them as they are) and the console renders them.
 */
import type { WebhookDelivery } from '@relink/contract';
import type { EpisodeOutcome, ReauthCause } from '../db/schema.ts';
import type { EndpointHealth, OperatorDelivery, ReplayResult } from '../webhooks/service.ts';

export type { EndpointHealth, OperatorDelivery, ReplayResult };

/** A page request: `page` from 1, `limit` rows. */
export interface PageRequest {
  page: number;
  limit: number;
}

export interface Paged<T> {
  items: T[];
  /** How many rows the filter selects in all. */
  total: number;
  page: number;
  limit: number;
}

/** Which accounts `OperationsService.accounts` lists: every app's live accounts unless narrowed. */
export interface AccountFilter {
  appId?: string | undefined;
  /** An institution's id, or a part of its name (case-insensitive). */
  institution?: string | undefined;
  /** Only accounts waiting for re-authorisation now. */
  reauthRequired?: boolean | undefined;
  /** Only accounts whose last sync failed for another reason than re-authorisation. */
  failingSync?: boolean | undefined;
  /** An account id, an account number, or a part of the account's name. */
  search?: string | undefined;
  /** Unlinked accounts too. */
  includeUnlinked?: boolean | undefined;
}

/** An account as an operator sees it, whichever app it belongs to. */
export interface OperatorAccount {
  id: string;
  app_id: string;
  app_name: string | null;
  customer_id: string;
  institution: { id: string; name: string };
  name: string;
  account_number: string;
  type: string;
  currency: string;
  data_status: string;
  linked_at: string;
  last_synced_at: string | null;
  /** Why the last sync did not succeed; null after a successful one. */
  last_sync_error: string | null;
  reauth_required: boolean;
  /** When the account began to wait (its episode's start); null when it does not wait, or began before migration 0017. */
  reauth_required_at: string | null;
  reauth_cause: ReauthCause | null;
  unlinked_at: string | null;
}

/** A login session of the account: the link that made it, or one start of a re-authorisation. */
export interface SessionSummary {
  id: string;
  kind: 'link' | 'reauth';
  origin: 'partner' | 'public';
  /** awaiting_login, awaiting_input (a challenge), awaiting_account, completed, failed. */
  status: string;
  /** Why it failed, if it did. */
  failure: string | null;
  created_at: string;
  updated_at: string;
}

/** The step an episode's person got to: none (no session opened), session, login, challenge, done. */
export type EpisodeStage = 'none' | 'session' | 'login' | 'challenge' | 'done';

/** One re-authorisation episode of an account: why, when, how far the person got, how it ended. */
export interface EpisodeView {
  id: string;
  cause: ReauthCause;
  /** When `reauthorisation_required` was recorded. */
  required_at: string;
  steps: {
    /** Reauth sessions opened while it waited, and when the first opened. */
    sessions: number;
    session_at: string | null;
    /** When the person first sent a login (the background login with stored credentials is not one). */
    login_at: string | null;
    /** When the bank's challenge was first shown. */
    challenge_at: string | null;
    /** When it ended, if it did. */
    ended_at: string | null;
  };
  /** completed (re-authorised), unlinked, relinked (linked afresh); null while it waits. */
  outcome: EpisodeOutcome | null;
  /** How far the person got: `done` once re-authorised. */
  stage: EpisodeStage;
  /** From required to its end, or to now while it waits. */
  seconds: number;
  /** The reauth sessions opened while it waited, oldest first. */
  sessions: SessionSummary[];
}

/** A sync as an `account_updated` event reports it. */
export interface SyncReport {
  status: 'SUCCESSFUL' | 'FAILED' | 'REAUTHORISATION_REQUIRED' | null;
  error: string | null;
}

/** One line of an account's timeline; `at` is ISO 8601, and entries are oldest first. */
export type TimelineEntry =
  | { at: string; kind: 'linked' }
  | { at: string; kind: 'unlinked' }
  | { at: string; kind: 'session'; session: SessionSummary }
  | { at: string; kind: 'reauth_required'; episode: string; cause: ReauthCause }
  | { at: string; kind: 'reauth_ended'; episode: string; outcome: EpisodeOutcome; seconds: number }
  | { at: string; kind: 'realtime_job'; id: string; name: string; status: string; error: string | null }
  | {
      at: string;
      kind: 'event';
      id: string;
      type: string;
      /** For `account_updated`: the sync it reports; for `sync_failed`: why. */
      sync: SyncReport | null;
      deliveries: WebhookDelivery[];
    };

export interface AccountDetail {
  account: OperatorAccount;
  /** Newest first. */
  episodes: EpisodeView[];
  /** Oldest first. */
  timeline: TimelineEntry[];
  /** The newest TIMELINE_EVENTS events are shown; true when the account has more. */
  events_truncated: boolean;
}

/** Re-authorisation by one reason or institution, over the episodes that began in a window. */
export interface Breakdown {
  key: string;
  /** The institution's name (by institution); the reason itself (by reason). */
  name: string;
  began: number;
  reauthorised: number;
  waiting: number;
  median_seconds: number | null;
}

/** How far the episodes that began in a window got: each count is of the episodes that reached that step. */
export interface Funnel {
  began: number;
  session: number;
  login: number;
  challenge: number;
  done: number;
  /** Where those not (yet) re-authorised stand: the last step each reached. */
  stopped: { none: number; session: number; login: number; challenge: number };
}

export interface WindowHealth {
  days: number;
  /** Episodes that began in the window (accounts that broke). */
  began: number;
  /** Episodes that ended re-authorised in the window (accounts that came back), wherever they began. */
  reauthorised: number;
  /** Episodes that ended in the window by an unlink or a new link. */
  abandoned: number;
  /** Of the episodes that began in the window, the share re-authorised by now; null when none began. */
  success_share: number | null;
  /** Time to re-authorise, over the episodes re-authorised in the window. */
  median_seconds: number | null;
  p90_seconds: number | null;
  by_reason: Breakdown[];
  by_institution: Breakdown[];
  funnel: Funnel;
}

/** One UTC day of the series. */
export interface DayHealth {
  day: string;
  broke: number;
  came_back: number;
  median_seconds: number | null;
}

export interface ReauthHealth {
  now: string;
  /** Live accounts, and those of them waiting for re-authorisation now, by why. */
  accounts: { linked: number; waiting: number; waiting_by_reason: Record<string, number> };
  windows: WindowHealth[];
  /** The last `SERIES_DAYS` UTC days, oldest first, today last. */
  series: DayHealth[];
  /** More episodes touched the period than MAX_EPISODES: the oldest were left out. */
  truncated: boolean;
}

/** Which deliveries `OperationsService.deliveries` lists: every app's unless narrowed. */
export interface DeliveryFilter {
  appId?: string | undefined;
  state?: WebhookDelivery['status'] | undefined;
  eventId?: string | undefined;
}
