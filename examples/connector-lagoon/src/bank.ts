/**
 * Lagoon Trust Bank's side: a bank that does not exist, standing in for the HTTP API or web
 * pages a real connector would call. Its users, their passwords and their ledgers are fixed.
 */
export interface LagoonUser {
  password: string;
  fullName: string;
  /** One account number per account; several mean the user picks one. */
  accounts: string[];
  otp?: string;
  status?: 'locked' | 'down' | 'slow';
}

export const USERS: Record<string, LagoonUser> = {
  ada: { password: 'lagoon-pass', fullName: 'Ada Obi', accounts: ['3100000001'] },
  bayo: { password: 'lagoon-pass', fullName: 'Bayo Adeyemi', accounts: ['3100000002', '3100000003'] },
  chika: { password: 'lagoon-pass', fullName: 'Chika Eze', accounts: ['3100000004'], otp: '246810' },
  dayo: { password: 'lagoon-pass', fullName: 'Dayo Bello', accounts: ['3100000005'], status: 'locked' },
  emeka: { password: 'lagoon-pass', fullName: 'Emeka Nwosu', accounts: ['3100000006'], status: 'down' },
  funmi: { password: 'lagoon-pass', fullName: 'Funmi Ade', accounts: ['3100000007'], status: 'slow' },
};

const DAY = 86_400_000;

/** Thirty days of one credit and one debit a day, ending at `now`: ids and amounts stable for a given day. */
export function ledger(accountNumber: string, now: number) {
  const today = Math.floor(now / DAY);
  const entries = [];
  let balance = 500_000_00;
  for (let day = today - 29; day <= today; day++) {
    balance += 25_000_00;
    entries.push({
      id: `${accountNumber}-${day}-c`,
      type: 'credit' as const,
      amount: 25_000_00,
      narration: 'Transfer in',
      date: day * DAY + 9 * 3_600_000,
      balance,
      currency: 'NGN',
    });
    balance -= 20_000_00;
    entries.push({
      id: `${accountNumber}-${day}-d`,
      type: 'debit' as const,
      amount: 20_000_00,
      narration: 'POS purchase',
      date: day * DAY + 15 * 3_600_000,
      balance,
      currency: 'NGN',
    });
  }
  return entries.filter((entry) => entry.date <= now);
}
