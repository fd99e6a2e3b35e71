import type { BankTransaction } from '../types.ts';
import { BILLS, COUNTERPARTS, int, pick, rng, SHOPS } from './data.ts';

/**
 * Histories for the sandbox users who show what the income estimate sees: a salaried person
 * (`user_salary`), a gig worker (`user_gig`) and someone with no income (`user_noincome`).
 *
 * Each month's transactions depend only on the account number and the month, and the running
 * balance is carried from a fixed start (January 2024), so a transaction is the same, with the
 * same id and balance, whenever it is read; the bank shows the last twelve months of them up
 * to `now`, and a later sync finds the ones that have happened since.
 */
export type IncomeProfile = 'salary' | 'gig' | 'none';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
/** The bank shows this much history. */
const SHOWN = 365 * DAY;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const EMPLOYERS = ['ADEBAYO AND SONS LOGISTICS LTD', 'KANO AGRO PROCESSING LTD', 'LEKKI HEALTHCARE SERVICES LTD', 'SAHEL TELECOMS LTD'];
const PLATFORMS = ['SWIFTRIDE DRIVER PAYOUT', 'CHOPNOW DELIVERIES', 'TASKHUB NIGERIA LTD'];
const NAIRA = 100;
const CURRENCY = 'NGN';

/** A transaction before the running balance is known: a fixed amount, or a share of the balance then (spending). */
interface Planned {
  date: number;
  type: 'debit' | 'credit';
  narration: string;
  amount?: number;
  share?: number;
}

/** A time of day on `day` of the month, between 07:00 and 20:00 UTC: the same date in West Africa Time. */
function on(r: () => number, year: number, month: number, day: number): number {
  return Date.UTC(year, month, day, int(r, 7, 19), int(r, 0, 59), int(r, 0, 59));
}

/** Someone other than the holder, by name. */
function counterpart(r: () => number, holder: string): string {
  for (;;) {
    const name = pick(r, COUNTERPARTS);
    if (name !== holder.toUpperCase()) return name;
  }
}

function spending(r: () => number, year: number, month: number, holder: string, count: number, share: [number, number]): Planned[] {
  return Array.from({ length: count }, () => {
    const roll = r();
    const narration = roll < 0.5 ? `POS PURCHASE ${pick(r, SHOPS)}` : roll < 0.8 ? pick(r, BILLS) : `NIP TRANSFER TO ${counterpart(r, holder)}`;
    return { date: on(r, year, month, int(r, 1, 28)), type: 'debit' as const, narration, share: share[0] + r() * (share[1] - share[0]) };
  });
}

/** The 25th, or the Friday before when the 25th is a weekend. */
function payday(year: number, month: number): number {
  const weekday = new Date(Date.UTC(year, month, 25)).getUTCDay();
  return weekday === 6 ? 24 : weekday === 0 ? 23 : 25;
}

function month(profile: IncomeProfile, accountNumber: string, holder: string, year: number, m: number, balance: number): Planned[] {
  const r = rng(`${profile}:${accountNumber}:${year}-${m}`);
  const planned: Planned[] = [];
  if (profile === 'salary') {
    const fixed = rng(`employer:${accountNumber}`);
    const employer = pick(fixed, EMPLOYERS);
    const salary = int(fixed, 350, 900) * 1000 * NAIRA;
    const date = Date.UTC(year, m, payday(year, m), 8, int(r, 0, 59));
    planned.push({ date, type: 'credit', amount: salary, narration: `NIP/${employer}/SALARY ${MONTHS[m]} ${year}` });
    if (r() < 0.25)
      planned.push({
        date: on(r, year, m, int(r, 1, 28)),
        type: 'credit',
        amount: int(r, 5, 40) * 1000 * NAIRA,
        narration: `NIP TRANSFER FROM ${counterpart(r, holder)}`,
      });
    planned.push(...spending(r, year, m, holder, int(r, 14, 22), [0.02, 0.06]));
  } else if (profile === 'gig') {
    const clients = Array.from({ length: 4 }, (_, i) => counterpart(rng(`client:${accountNumber}:${i}`), holder));
    for (const platform of PLATFORMS) {
      // Two to six payouts in a month it pays at all: never once a month, so never a regular stream.
      if (r() < 0.15) continue;
      for (let k = int(r, 2, 6); k > 0; k--) {
        planned.push({ date: on(r, year, m, int(r, 1, 28)), type: 'credit', amount: int(r, 4, 45) * 1000 * NAIRA, narration: `NIP TRANSFER FROM ${platform}` });
      }
    }
    for (let k = int(r, 0, 2); k > 0; k--) {
      planned.push({
        date: on(r, year, m, int(r, 1, 28)),
        type: 'credit',
        amount: int(r, 10, 80) * 1000 * NAIRA,
        narration: `NIP TRANSFER FROM ${pick(r, clients)}`,
      });
    }
    planned.push(...spending(r, year, m, holder, int(r, 15, 25), [0.03, 0.07]));
  } else {
    // Living on savings: the holder tops the account up from their own, and a failed card payment comes back.
    if (balance < 150_000 * NAIRA) {
      planned.push({
        date: on(r, year, m, 2),
        type: 'credit',
        amount: int(r, 300, 600) * 1000 * NAIRA,
        narration: `NIP TRANSFER FROM ${holder.toUpperCase()}`,
      });
    }
    if (r() < 0.3) {
      const shop = pick(r, SHOPS);
      const amount = int(r, 2, 15) * 1000 * NAIRA;
      const day = int(r, 3, 26);
      planned.push({ date: on(r, year, m, day), type: 'debit', amount, narration: `POS PURCHASE ${shop}` });
      planned.push({ date: on(r, year, m, day + 2), type: 'credit', amount, narration: `REVERSAL: POS PURCHASE ${shop}` });
    }
    planned.push(...spending(r, year, m, holder, int(r, 10, 16), [0.01, 0.03]));
  }
  return planned.sort((a, b) => a.date - b.date);
}

/** Every transaction of the account visible at `now` (the last twelve months), oldest first, and the balance at `now`. */
export function incomeLedgerAt(
  profile: IncomeProfile,
  accountNumber: string,
  holder: string,
  now: number,
): { transactions: BankTransaction[]; balance: number } {
  const opening = rng(`opening:${profile}:${accountNumber}`);
  let balance = (profile === 'none' ? int(opening, 1_500, 3_000) : profile === 'salary' ? int(opening, 400, 900) : int(opening, 40, 90)) * 1000 * NAIRA;
  const transactions: BankTransaction[] = [];
  for (let at = new Date(START); at.getTime() <= now; at = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1))) {
    const [year, m] = [at.getUTCFullYear(), at.getUTCMonth()];
    for (const [i, p] of month(profile, accountNumber, holder, year, m, balance).entries()) {
      if (p.date > now) break;
      const amount = p.amount ?? Math.max(NAIRA, Math.round((balance * p.share!) / NAIRA) * NAIRA);
      balance += p.type === 'credit' ? amount : -amount;
      if (p.date > now - SHOWN) {
        const id = `sbx_${accountNumber}_${year}${String(m + 1).padStart(2, '0')}_${i}`;
        transactions.push({ id, type: p.type, amount, narration: p.narration, date: p.date, balance, currency: CURRENCY });
      }
    }
  }
  return { transactions, balance };
}
