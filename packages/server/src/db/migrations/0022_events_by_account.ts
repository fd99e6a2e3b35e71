import type { Kysely } from 'kysely';

// An account's events of one type, newest first. A v2 income request looks at the account's
// latest income events to see whether the same analysis already waits for a retry
// (`awaitingRetry` in events/outbox.ts). Without this index that look walked the app's event log
// or every app's failing backlog: 9 ms on SQLite and 70 ms on PostgreSQL per request behind
// 20,000 failing deliveries (measured on a loaded 2-CPU machine). With it, behind those and
// 20,000 delivered income events of the account: 0.15 to 0.3 ms on SQLite, two to four
// primary-key lookups' time on PostgreSQL. Building it reads the events table once, at the first
// start after an upgrade.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('events_account_type').on('events').columns(['account_id', 'type', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('events_account_type').execute();
}
