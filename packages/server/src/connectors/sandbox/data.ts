import type { BankAccount, BankIdentity, BankTransaction } from '../types.ts';

/**
 * Deterministic sandbox data. Everything is derived from a string seed (username or account
 * number) through a small PRNG, so the same account always has the same details and the same
 * transactions at the same time, on every server.
 */

export const BUSINESS_INSTITUTION_ID = '5f2d08be60b92e2888287001';
const CURRENCY = 'NGN';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** History ends here; later transactions appear one per slot after it. */
export const HISTORY_END = Date.UTC(2026, 0, 1);
const HISTORY_LENGTH = 30;
const HISTORY_SPAN = 90 * DAY;
export const SLOT_MS = 6 * HOUR;
/** Only slots this recent are generated, so a call never yields more than 120 new ones. */
const RECENT_WINDOW = 30 * DAY;

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: returns a generator of floats in [0, 1). */
export function rng(seed: string): () => number {
  let a = hash(seed);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
export const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const digits = (r: () => number, n: number) => Array.from({ length: n }, () => int(r, 0, 9)).join('');

const FIRST_NAMES = [
  ['Ada', 'female'],
  ['Chioma', 'female'],
  ['Ngozi', 'female'],
  ['Funmilayo', 'female'],
  ['Aisha', 'female'],
  ['Temitope', 'female'],
  ['Emeka', 'male'],
  ['Tunde', 'male'],
  ['Ibrahim', 'male'],
  ['Chinedu', 'male'],
  ['Segun', 'male'],
  ['Uche', 'male'],
] as const;
const LAST_NAMES = ['Obi', 'Okafor', 'Adeyemi', 'Bello', 'Eze', 'Balogun', 'Nwosu', 'Ogunleye', 'Abubakar', 'Okonkwo'];
const STREETS = [
  'Admiralty Way, Lekki, Lagos',
  'Allen Avenue, Ikeja, Lagos',
  'Ademola Adetokunbo Crescent, Wuse II, Abuja',
  'Awolowo Road, Ikoyi, Lagos',
  'Ring Road, Ibadan, Oyo',
  'Trans Amadi Road, Port Harcourt, Rivers',
];
const BUSINESS_SUFFIXES = ['Ventures Ltd', 'Logistics Ltd', 'Foods Nigeria Ltd', 'Global Services Ltd', 'Agro Ltd'];
export const SHOPS = ['SHOPRITE LEKKI', 'SPAR IKEJA CITY MALL', 'CHICKEN REPUBLIC YABA', 'JUMIA ONLINE', 'TOTAL FILLING STN VI', 'ROBAN STORES ENUGU'];
export const BILLS = ['MTN AIRTIME 08031234567', 'DSTV SUBSCRIPTION', 'IKEDC PREPAID TOKEN', 'AIRTEL DATA BUNDLE'];

/** People a transfer comes from or goes to, as a narration names them. */
export const COUNTERPARTS = FIRST_NAMES.flatMap(([first]) => LAST_NAMES.map((last) => `${first} ${last}`.toUpperCase()));

interface Person {
  first: string;
  last: string;
  gender: string;
}

function person(username: string): Person {
  const r = rng(`person:${username}`);
  const [first, gender] = pick(r, FIRST_NAMES);
  return { first, last: pick(r, LAST_NAMES), gender };
}

export function identityFor(username: string): BankIdentity {
  const p = person(username);
  const r = rng(`identity:${username}`);
  const dob = new Date(Date.UTC(int(r, 1970, 2000), int(r, 0, 11), int(r, 1, 28)));
  return {
    fullName: `${p.first} ${p.last}`,
    email: `${p.first}.${p.last}@example.com`.toLowerCase(),
    phone: `${pick(r, ['080', '081', '070', '090'])}${digits(r, 8)}`,
    bvn: `22${digits(r, 9)}`,
    gender: p.gender,
    dateOfBirth: dob.toISOString().slice(0, 10),
    address: `${int(r, 1, 120)} ${pick(r, STREETS)}`,
  };
}

/** An account's fixed details; its balance depends on the time it is read. */
export type AccountProfile = Omit<BankAccount, 'balance'>;

export function accountsFor(institutionId: string, username: string, count: number): AccountProfile[] {
  const business = institutionId === BUSINESS_INSTITUTION_ID;
  const p = person(username);
  const seen = new Set<string>();
  const accounts: AccountProfile[] = [];
  for (let i = 0; accounts.length < count; i++) {
    const r = rng(`account:${institutionId}:${username}:${i}`);
    const accountNumber = digits(r, 10);
    if (seen.has(accountNumber)) continue;
    seen.add(accountNumber);
    const index = accounts.length;
    accounts.push({
      accountNumber,
      name: business ? `${p.last} ${pick(r, BUSINESS_SUFFIXES)}` : `${p.first} ${p.last}`,
      type: business || index === 1 ? 'CURRENT_ACCOUNT' : 'SAVINGS_ACCOUNT',
      currency: CURRENCY,
    });
  }
  return accounts;
}

/**
 * Balance after transaction `n`, computed on its own rather than by summing, so a transaction
 * in the recent window is the same whatever window it is read in. Consecutive balances differ
 * in parity (in naira), so every transaction has a non-zero amount.
 */
function balanceAfter(accountNumber: string, n: number): number {
  const base = int(rng(`base:${accountNumber}`), 50_000, 2_000_000);
  // A slow triangle-wave drift plus per-transaction noise keeps amounts a few % of the balance.
  const drift = Math.abs((((n % 40) + 40) % 40) - 20) / 20;
  let naira = Math.floor(base * (0.55 + 0.3 * drift + 0.1 * rng(`balance:${accountNumber}:${n}`)()));
  if (((naira % 2) + 2) % 2 !== ((n % 2) + 2) % 2) naira += 1;
  return naira * 100;
}

function transaction(accountNumber: string, n: number, date: number): BankTransaction {
  const balance = balanceAfter(accountNumber, n);
  const diff = balance - balanceAfter(accountNumber, n - 1);
  const amount = Math.abs(diff);
  const r = rng(`narration:${accountNumber}:${n}`);
  const counterpart = `${pick(r, FIRST_NAMES)[0]} ${pick(r, LAST_NAMES)}`.toUpperCase();
  let narration: string;
  if (diff > 0) {
    narration = amount > 100_000_00 && r() < 0.2 ? 'SALARY PAYMENT' : `NIP TRANSFER FROM ${counterpart}`;
  } else if (amount < 30_000_00) {
    narration = r() < 0.6 ? `POS PURCHASE ${pick(r, SHOPS)}` : pick(r, BILLS);
  } else {
    narration = `NIP TRANSFER TO ${counterpart}`;
  }
  return {
    id: `sbx_${accountNumber}_${n}`,
    type: diff > 0 ? 'credit' : 'debit',
    amount,
    narration,
    date,
    balance,
    currency: CURRENCY,
  };
}

/**
 * Every transaction visible at `now`, oldest first: a fixed history of 30 in the 90 days
 * before HISTORY_END, then one per 6-hour slot after it (only the last 30 days of them).
 */
export function transactionsAt(accountNumber: string, now: number): BankTransaction[] {
  const r = rng(`dates:${accountNumber}`);
  const historyDates = Array.from({ length: HISTORY_LENGTH }, () => HISTORY_END - HISTORY_SPAN + Math.floor(r() * (HISTORY_SPAN / 1000)) * 1000).sort(
    (a, b) => a - b,
  );
  const out = historyDates.map((date, n) => transaction(accountNumber, n, date));
  const first = Math.max(0, Math.floor((now - RECENT_WINDOW - HISTORY_END) / SLOT_MS));
  const last = Math.floor((now - HISTORY_END) / SLOT_MS);
  for (let k = first; k <= last; k++) {
    const date = HISTORY_END + k * SLOT_MS + Math.floor(rng(`slot:${accountNumber}:${k}`)() * (SLOT_MS / 1000)) * 1000;
    if (date > now - RECENT_WINDOW) out.push(transaction(accountNumber, HISTORY_LENGTH + k, date));
  }
  return out.filter((t) => t.date <= now);
}

/** The balance at `now`: the last visible transaction's running balance. */
export function balanceAt(accountNumber: string, now: number): number {
  const visible = transactionsAt(accountNumber, now);
  return visible.at(-1)?.balance ?? balanceAfter(accountNumber, -1);
}
