import { DomainError } from '../lib/errors.ts';
import type { DataStatus } from './model.ts';
import type { AccountFilter } from './store.ts';

/** The list's query as the caller wrote it (`GET /v2/accounts`, `GET /v2/customers/{id}/accounts`). */
export interface AccountListQuery {
  reauth_required?: boolean | undefined;
  institution?: string | undefined;
  customer?: string | undefined;
  data_status?: DataStatus | undefined;
  linked_since?: string | undefined;
  linked_before?: string | undefined;
  synced_since?: string | undefined;
  not_synced_since?: string | undefined;
}

/** The filter a list query asks for, each time read as `instantOf` reads it; a malformed one names itself. */
export function accountFilterOf(query: AccountListQuery): AccountFilter {
  const filter: AccountFilter = {
    reauthRequired: query.reauth_required,
    institutionId: query.institution,
    customerId: query.customer,
    dataStatus: query.data_status,
    linkedSince: instantOf('linked_since', query.linked_since),
    linkedBefore: instantOf('linked_before', query.linked_before),
    syncedSince: instantOf('synced_since', query.synced_since),
    notSyncedSince: instantOf('not_synced_since', query.not_synced_since),
  };
  if (filter.linkedSince !== undefined && filter.linkedBefore !== undefined && filter.linkedSince >= filter.linkedBefore) {
    throw new DomainError('INVALID_INPUT', 'Invalid request: query.linked_since must be earlier than query.linked_before');
  }
  return filter;
}

const DMY = /^(\d{2})-(\d{2})-(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A point in time from a query: an ISO 8601 date-time with its zone, or a day (YYYY-MM-DD, or
 * Mono's DD-MM-YYYY as its transactions take it), which means that day's start in UTC.
 */
export function instantOf(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const day = DMY.exec(value) ?? ISO_DATE.exec(value);
  let ms = Number.NaN;
  if (day) {
    const [d, m, y] = DMY.test(value) ? [day[1], day[2], day[3]] : [day[3], day[2], day[1]];
    ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
    // Date.UTC rolls 31-02 over to March: a day or month out of range is malformed.
    const date = new Date(ms);
    if (date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(m) - 1) ms = Number.NaN;
  } else if (ISO_TIME.test(value)) {
    ms = Date.parse(value);
  }
  if (Number.isNaN(ms)) {
    throw new DomainError(
      'INVALID_INPUT',
      `Invalid request: query.${name} must be an ISO 8601 date (2026-01-31), a date-time with its zone (2026-01-31T09:00:00Z) or DD-MM-YYYY (got ${JSON.stringify(value)})`,
    );
  }
  return ms;
}
