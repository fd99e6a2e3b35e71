/**
 * Calendar months and days as a Nigerian bank counts them: West Africa Time, UTC+1 all year
 * (no daylight saving), so a transaction at 23:30 UTC on 31 January belongs to February.
 */
const WAT_OFFSET_MS = 3_600_000;

/** `YYYY-MM` of an epoch-ms instant, in West Africa Time. */
export function monthOf(ms: number): string {
  const at = new Date(ms + WAT_OFFSET_MS);
  const month = at.getUTCMonth() + 1;
  return `${at.getUTCFullYear()}-${month < 10 ? '0' : ''}${month}`;
}

/** `YYYY-MM-DD` of an epoch-ms instant, in West Africa Time. */
export function dayOf(ms: number): string {
  return new Date(ms + WAT_OFFSET_MS).toISOString().slice(0, 10);
}

/** Every month from `first` to `last` (`YYYY-MM`), both included; none when `last` comes first. */
export function monthsFrom(first: string, last: string): string[] {
  const months: string[] = [];
  let [year, month] = first.split('-').map(Number) as [number, number];
  for (let current = first; current <= last; current = `${year}-${String(month).padStart(2, '0')}`) {
    months.push(current);
    if (++month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

/** The month `count` months after `month` (before it, when negative). */
export function addMonths(month: string, count: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
