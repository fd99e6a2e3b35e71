import type { StatementPeriod } from '@relink/contract';

const MONTH_MS = 30.436875 * 86_400_000;

/** A statement's period as times: `last{N}months` ends now and starts at this time N calendar months ago (UTC). */
export interface PeriodRange {
  period: StatementPeriod;
  months: number;
  start: number;
  end: number;
}

/**
 * The range `period` names at `now`. The day of the month is kept, or the month's last day when
 * the earlier month is shorter (31 March less one month is 28 or 29 February, not 3 March).
 */
export function periodRange(period: StatementPeriod, now: number): PeriodRange {
  const months = Number(/^last(\d+)months$/.exec(period)![1]);
  const end = new Date(now);
  const month = end.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), month + 1, 0)).getUTCDate();
  const start = Date.UTC(
    end.getUTCFullYear(),
    month,
    Math.min(end.getUTCDate(), lastDay),
    end.getUTCHours(),
    end.getUTCMinutes(),
    end.getUTCSeconds(),
    end.getUTCMilliseconds(),
  );
  return { period, months, start, end: now };
}

/** How many months of `range` the stored transactions reach back to, the oldest dated `oldest`: 0 to the period's months. */
export function availableMonths(range: PeriodRange, oldest: number | undefined): number {
  if (oldest === undefined || oldest > range.end) return 0;
  const from = Math.max(oldest, range.start);
  return Math.min(range.months, Math.max(1, Math.ceil((range.end - from) / MONTH_MS - 1e-9)));
}
