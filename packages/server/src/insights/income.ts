import { addMonths, monthOf, monthsFrom } from './months.ts';

/** A stored transaction, as the estimate reads it. */
export interface Entry {
  id: string;
  type: 'debit' | 'credit';
  amount: number;
  narration: string;
  /** Epoch milliseconds. */
  date: number;
}

/** A credit counted as income, and the stream it belongs to. */
export interface IncomeCredit extends Entry {
  source: string;
}

/** Credits from one payer (one narration pattern). */
export interface IncomeStream {
  /** The payer, read from the narrations: `ADEBAYO AND SONS LOGISTICS LTD`. */
  source: string;
  /** Paid about once a month (see `isMonthly`); otherwise irregular. */
  regular: boolean;
  /** `WAGES` when a narration says salary, wages or payroll. */
  incomeType: 'WAGES' | 'OTHER';
  /** Oldest first. */
  credits: IncomeCredit[];
  total: number;
  /** Calendar months from the first credit's to the last's, both included. */
  months: number;
  /** Of those, the months with a credit. */
  monthsWithIncome: number;
  /** 1 − the coefficient of variation of its monthly totals over `months`, in [0, 1]; 0 under two months. */
  stability: number;
}

export interface IncomeEstimate {
  /** The first and last stored transaction in the window (any kind), or null without any. */
  first: number | null;
  last: number | null;
  /** Calendar months (West Africa Time) from the first transaction's to the last's, both included (0 without any). */
  months: number;
  /** Regular streams first, then by total, largest first. */
  streams: IncomeStream[];
  total: number;
  regular: number;
  irregular: number;
  /** The regular streams' monthly averages, summed: each over its own months, from its first credit to its last. */
  monthlyRegular: number;
  /** Irregular income over the window's months. */
  monthlyIrregular: number;
  /** Months (calendar, West Africa Time) with any income. */
  monthsWithIncome: number;
  /** The main regular stream's payer, or null. */
  employer: string | null;
  /** How far the monthly figure can be trusted, 0 to 1 (see `confidenceOf`). */
  confidence: number;
}

const DAY_MS = 86_400_000;

/**
 * Credits that are money coming back or the holder's own money, not income: reversals and
 * refunds of the holder's payments, loan disbursements (borrowed, to be repaid), and transfers
 * from an account in the holder's own name.
 */
const NOT_INCOME = /\b(REVERSAL|REVERSED|RVSL|REFUND|REFUNDED|CHARGEBACK|RETURNED|LOAN|DISBURSEMENT)\b/;
const WAGES = /\b(SALARY|SAL|WAGES?|PAYROLL|STIPEND)\b/;
/** Words a bank adds to a narration around the payer's name, and month names: not the payer. */
const NOISE = new Set(
  (
    'NIP TRANSFER TRF TRSF FROM FRM FT INWARD CREDIT CR VIA MOBILE USSD APP PAYMENT PMT SALARY SAL WAGE WAGES PAYROLL STIPEND FOR OF THE REF ' +
    'JAN FEB MAR APR MAY JUN JUL AUG SEP SEPT OCT NOV DEC JANUARY FEBRUARY MARCH APRIL JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER'
  ).split(' '),
);

const wordsOf = (text: string) =>
  text
    .toUpperCase()
    .split(/[^A-Z]+/)
    .filter(Boolean);

/** The payer a narration names: its words without the bank's and the month's; the narration itself when nothing else is left. */
export function sourceOf(narration: string): string {
  const words = wordsOf(narration);
  const named = words.filter((w) => w.length > 1 && !NOISE.has(w));
  return (named.length > 0 ? named : words).join(' ') || 'UNKNOWN';
}

/** For the holder named `holderName`: why a credit is not income, or undefined when it counts. */
export function notIncomeFor(holderName: string): (narration: string) => 'reversal' | 'loan' | 'own_account' | undefined {
  const holder = wordsOf(holderName).filter((w) => w.length > 1);
  // Each word of the name as a whole word: letters on neither side (a narration's words are split at anything else).
  const named = holder.length < 2 ? [] : holder.map((w) => new RegExp(`(?<![A-Z])${w}(?![A-Z])`));
  return (narration) => {
    const upper = narration.toUpperCase();
    const match = NOT_INCOME.exec(upper)?.[1];
    if (match) return match === 'LOAN' || match === 'DISBURSEMENT' ? 'loan' : 'reversal';
    return named.length > 0 && named.every((r) => r.test(upper)) ? 'own_account' : undefined;
  };
}

/**
 * Paid about once a month: at least three credits, and at least three in four of the gaps
 * between them 24 to 38 days long. A salary paid on the 25th, or on the Friday before when the
 * 25th is a weekend, has gaps of 28 to 35 days; one bonus in a year leaves three in four.
 */
export function isMonthly(dates: readonly number[]): boolean {
  if (dates.length < 3) return false;
  const sorted = [...dates].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((d, i) => (d - sorted[i]!) / DAY_MS);
  return gaps.filter((g) => g >= 24 && g <= 38).length >= 0.75 * gaps.length;
}

function bySource(credits: readonly IncomeCredit[]): Map<string, IncomeCredit[]> {
  const groups = new Map<string, IncomeCredit[]>();
  for (const c of credits) (groups.get(c.source) ?? groups.set(c.source, []).get(c.source)!).push(c);
  return groups;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function stream(source: string, credits: IncomeCredit[], regular: boolean): IncomeStream {
  credits.sort((a, b) => a.date - b.date);
  const span = monthsFrom(monthOf(credits[0]!.date), monthOf(credits.at(-1)!.date));
  const perMonth = new Map(span.map((m) => [m, 0]));
  for (const c of credits) perMonth.set(monthOf(c.date), perMonth.get(monthOf(c.date))! + c.amount);
  const totals = [...perMonth.values()];
  const total = totals.reduce((s, x) => s + x, 0);
  const mean = total / totals.length;
  const sd = Math.sqrt(totals.reduce((s, x) => s + (x - mean) ** 2, 0) / totals.length);
  return {
    source,
    regular,
    incomeType: credits.some((c) => WAGES.test(c.narration.toUpperCase())) ? 'WAGES' : 'OTHER',
    credits,
    total,
    months: span.length,
    monthsWithIncome: totals.filter((x) => x > 0).length,
    stability: span.length < 2 ? 0 : round2(Math.min(1, Math.max(0, 1 - sd / mean))),
  };
}

/**
 * How far the monthly figure can be trusted, 0 to 1: the product of
 * - coverage: the months of data, up to 6 (three months of data give at most 0.5);
 * - continuity: the share of those months that had any income;
 * - regularity: 0.5, plus half the share of the income that is regular.
 * A salary seen every month for six months or more gives 1; income only from irregular
 * payers, every month, gives 0.5; no income gives 0.
 */
export function confidenceOf(months: number, monthsWithIncome: number, total: number, regular: number): number {
  if (months === 0 || total === 0) return 0;
  return round2(Math.min(1, months / 6) * Math.min(1, monthsWithIncome / months) * (0.5 + (0.5 * regular) / total));
}

/**
 * The income an account's stored transactions show. The window is whole calendar months: the
 * last `periodMonths` of them up to the month of the last stored transaction (not today: the
 * data of an account waiting for re-authorisation is older), or every month from the first
 * transaction's. Its credits, less those that are not income (`notIncomeFor`), are grouped by
 * payer (`sourceOf`); a payer paying about monthly (`isMonthly`) is a regular stream, any other
 * an irregular one. Whether a payer pays monthly is judged on all the stored data, not only the
 * window's: two months of a salary in a short period are still a salary.
 *
 * A regular stream's monthly figure is its total over its own months, first credit to last, so
 * twelve salaries are twelve months' pay whatever day the data begins or ends on; irregular
 * income is spread over the window's months.
 */
export function estimateIncome(ledger: readonly Entry[], holderName: string, periodMonths?: number): IncomeEstimate {
  let last = -Infinity;
  for (const t of ledger) last = Math.max(last, t.date);
  const from = periodMonths === undefined || ledger.length === 0 ? '' : addMonths(monthOf(last), 1 - periodMonths);
  const window = ledger.filter((t) => monthOf(t.date) >= from);
  if (window.length === 0) {
    return {
      first: null,
      last: null,
      months: 0,
      streams: [],
      total: 0,
      regular: 0,
      irregular: 0,
      monthlyRegular: 0,
      monthlyIrregular: 0,
      monthsWithIncome: 0,
      employer: null,
      confidence: 0,
    };
  }
  let first = Infinity;
  for (const t of window) first = Math.min(first, t.date);
  const months = monthsFrom(monthOf(first), monthOf(last)).length;

  const notIncome = notIncomeFor(holderName);
  const income = ledger.filter((t) => t.type === 'credit' && !notIncome(t.narration)).map((t) => ({ ...t, source: sourceOf(t.narration) }));
  const monthly = new Set([...bySource(income)].filter(([, credits]) => isMonthly(credits.map((c) => c.date))).map(([source]) => source));
  const streams = [...bySource(income.filter((c) => c.date >= first))].map(([source, credits]) => stream(source, credits, monthly.has(source)));
  streams.sort((a, b) => Number(b.regular) - Number(a.regular) || b.total - a.total || a.source.localeCompare(b.source));

  const regularStreams = streams.filter((s) => s.regular);
  const total = streams.reduce((sum, s) => sum + s.total, 0);
  const regular = regularStreams.reduce((sum, s) => sum + s.total, 0);
  const monthsWithIncome = new Set(streams.flatMap((s) => s.credits.map((c) => monthOf(c.date)))).size;
  const employer = [...regularStreams].sort((a, b) => Number(b.incomeType === 'WAGES') - Number(a.incomeType === 'WAGES'))[0];
  return {
    first,
    last,
    months,
    streams,
    total,
    regular,
    irregular: total - regular,
    monthlyRegular: regularStreams.reduce((sum, s) => sum + s.total / s.months, 0),
    monthlyIrregular: (total - regular) / months,
    monthsWithIncome,
    employer: employer?.source ?? null,
    confidence: confidenceOf(months, monthsWithIncome, total, regular),
  };
}
