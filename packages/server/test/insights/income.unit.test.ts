import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { confidenceOf, type Entry, estimateIncome, isMonthly, notIncomeFor, sourceOf } from '../../src/insights/income.ts';
import { incomeRecord, incomeV1, incomeV2 } from '../../src/insights/model.ts';
import type { Account } from '../../src/accounts/model.ts';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
let n = 0;
const credit = (iso: string, amount: number, narration: string): Entry => ({ id: `t${++n}`, type: 'credit', amount, narration, date: at(iso) });
const debit = (iso: string, amount: number, narration = 'POS PURCHASE SHOPRITE LEKKI'): Entry => ({
  id: `t${++n}`,
  type: 'debit',
  amount,
  narration,
  date: at(iso),
});

/** A salary of 450,000 naira on the 25th, or the Friday before when the 25th is a weekend. */
function salaries(months: string[], amount = 450_000_00): Entry[] {
  return months.map((m) => {
    const day = new Date(`${m}-25T09:00:00Z`);
    const weekday = day.getUTCDay();
    if (weekday === 6) day.setUTCDate(24);
    if (weekday === 0) day.setUTCDate(23);
    const [y, mo] = m.split('-');
    return credit(
      day.toISOString(),
      amount,
      `NIP/ADEBAYO AND SONS LOGISTICS LTD/SALARY ${['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][Number(mo) - 1]} ${y}`,
    );
  });
}
const YEAR = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];

describe('reading narrations', () => {
  test("the payer is the narration's words without the bank's, the month's and the digits", () => {
    assert.equal(sourceOf('NIP/ADEBAYO AND SONS LOGISTICS LTD/SALARY MAR 2026'), 'ADEBAYO AND SONS LOGISTICS LTD');
    assert.equal(sourceOf('ADEBAYO AND SONS LOGISTICS LTD SALARY FOR APRIL'), 'ADEBAYO AND SONS LOGISTICS LTD');
    assert.equal(sourceOf('NIP TRANSFER FROM TUNDE BELLO'), 'TUNDE BELLO');
    assert.equal(sourceOf('Trf frm Swiftride Driver Payout 00231'), 'SWIFTRIDE DRIVER PAYOUT');
    assert.equal(sourceOf('SALARY PAYMENT'), 'SALARY PAYMENT', 'nothing but noise: the narration itself');
    assert.equal(sourceOf('12345'), 'UNKNOWN');
  });

  test('reversals, refunds, loans and transfers from the holder are not income; a namesake is', () => {
    const notIncome = (narration: string, holder: string) => notIncomeFor(holder)(narration);
    assert.equal(notIncome('REVERSAL: POS PURCHASE SHOPRITE LEKKI', 'Ada Obi'), 'reversal');
    assert.equal(notIncome('Refund jumia order 88121', 'Ada Obi'), 'reversal');
    assert.equal(notIncome('QUICKCASH LOAN DISBURSEMENT', 'Ada Obi'), 'loan');
    assert.equal(notIncome('NIP TRANSFER FROM ADA OBI', 'Ada Obi'), 'own_account');
    assert.equal(notIncome('NIP TRANSFER FROM OBI ADA CHIAMAKA', 'Ada Obi'), 'own_account');
    assert.equal(notIncome('NIP TRANSFER FROM ADA OKAFOR', 'Ada Obi'), undefined);
    assert.equal(notIncome('NIP TRANSFER FROM ADA', 'Ada'), undefined, 'a one-word holder name matches nothing');
    assert.equal(notIncome('NIP/ADEBAYO AND SONS LOGISTICS LTD/SALARY MAR 2026', 'Ada Obi'), undefined);
    assert.equal(notIncome('PREVERSAL TRADING LTD', 'Ada Obi'), undefined, 'whole words only');
  });
});

describe('isMonthly', () => {
  const dates = (...isos: string[]) => isos.map(at);
  test('a salary on the 25th or the Friday before is monthly', () => {
    assert.equal(isMonthly(salaries(YEAR).map((s) => s.date)), true);
  });
  test('one bonus in a year still leaves it monthly; two credits are too few', () => {
    assert.equal(isMonthly([...salaries(YEAR).map((s) => s.date), at('2026-12-15T09:00:00Z')]), true);
    assert.equal(isMonthly(dates('2026-01-25', '2026-02-25')), false);
  });
  test('weekly, fortnightly, quarterly and scattered credits are not', () => {
    assert.equal(isMonthly(Array.from({ length: 12 }, (_, i) => at('2026-01-05') + i * 7 * DAY)), false);
    assert.equal(isMonthly(Array.from({ length: 12 }, (_, i) => at('2026-01-05') + i * 14 * DAY)), false);
    assert.equal(isMonthly(dates('2026-01-10', '2026-04-10', '2026-07-10', '2026-10-10')), false);
    assert.equal(isMonthly(dates('2026-01-03', '2026-01-09', '2026-02-20', '2026-03-01', '2026-03-29', '2026-05-30')), false);
  });
  test('the order of the dates does not matter', () => {
    assert.equal(
      isMonthly(
        salaries(YEAR)
          .map((s) => s.date)
          .reverse(),
      ),
      true,
    );
  });
});

describe('confidenceOf', () => {
  test('coverage up to six months, times the months with income, times half plus half the regular share', () => {
    assert.equal(confidenceOf(12, 12, 100, 100), 1);
    assert.equal(confidenceOf(12, 12, 100, 0), 0.5);
    assert.equal(confidenceOf(3, 3, 100, 100), 0.5);
    assert.equal(confidenceOf(12, 6, 100, 100), 0.5);
    assert.equal(confidenceOf(12, 12, 100, 50), 0.75);
    assert.equal(confidenceOf(12, 0, 0, 0), 0);
    assert.equal(confidenceOf(0, 0, 0, 0), 0);
  });
});

describe('estimateIncome', () => {
  const salaried: Entry[] = [
    ...salaries(YEAR),
    credit('2026-03-14T12:00:00Z', 15_000_00, 'NIP TRANSFER FROM TUNDE BELLO'),
    credit('2026-08-02T12:00:00Z', 25_000_00, 'NIP TRANSFER FROM NGOZI EZE'),
    credit('2026-05-03T10:00:00Z', 8_500_00, 'REVERSAL POS PURCHASE SPAR IKEJA'),
    credit('2026-06-10T10:00:00Z', 200_000_00, 'NIP TRANSFER FROM ADA OBI'),
    ...YEAR.map((m) => debit(`${m}-02T10:00:00Z`, 300_000_00, 'RENT')),
    debit('2025-12-30T10:00:00Z', 1_000_00),
  ];

  test('a salary: one regular WAGES stream, its payer the employer; odd transfers irregular; reversals and own transfers left out', () => {
    const e = estimateIncome(salaried, 'Ada Obi');
    assert.equal(e.first, at('2025-12-30T10:00:00Z'));
    assert.equal(e.last, at('2026-12-25T09:00:00Z'));
    assert.equal(e.months, 13, 'December 2025 to December 2026');
    assert.deepEqual(
      e.streams.map((s) => [s.source, s.regular, s.incomeType, s.credits.length]),
      [
        ['ADEBAYO AND SONS LOGISTICS LTD', true, 'WAGES', 12],
        ['NGOZI EZE', false, 'OTHER', 1],
        ['TUNDE BELLO', false, 'OTHER', 1],
      ],
    );
    assert.equal(e.employer, 'ADEBAYO AND SONS LOGISTICS LTD');
    assert.equal(e.regular, 12 * 450_000_00);
    assert.equal(e.irregular, 40_000_00);
    assert.equal(e.total, e.regular + e.irregular);
    assert.equal(e.monthsWithIncome, 12);
    assert.equal(e.streams[0]!.stability, 1);
    assert.equal(e.streams[1]!.stability, 0, 'one month: no stability');
    assert.equal(e.monthlyRegular, 450_000_00, "twelve salaries over the stream's twelve months, though the data spans thirteen");
    assert.equal(e.monthlyIrregular, 40_000_00 / 13);
    assert.equal(e.confidence, confidenceOf(13, 12, e.total, e.regular));
    assert.equal(e.confidence, 0.92);

    const v2 = incomeV2(ACCOUNT, e);
    assert.equal(v2.income_summary.employer, 'ADEBAYO AND SONS LOGISTICS LTD');
    assert.equal(v2.aggregated_monthly_average_regular, 450_000_00);
    assert.equal(v2.monthly_income, 450_000_00);
    assert.equal(v2.aggregated_monthly_average_irregular, 3_076_92);
    assert.equal(v2.aggregated_monthly_average, 453_076_92);
    assert.equal(v2.monthly_average, v2.aggregated_monthly_average, 'the deprecated name holds the same figure');
    assert.equal(v2.annual_income, 12 * v2.aggregated_monthly_average);
    assert.equal(v2.period, '13 months');
    assert.equal(v2.first_transaction_date, '2025-12-30');
    assert.equal(v2.last_transaction_date, '2026-12-25');
    const [wages] = v2.income_streams;
    assert.deepEqual(
      { ...wages, last_income_description: undefined },
      {
        income_type: 'WAGES',
        frequency: 'MONTHLY',
        monthly_average: 450_000_00,
        average_income_amount: 450_000_00,
        currency: 'NGN',
        stability: 1,
        last_income_amount: 450_000_00,
        last_income_description: undefined,
        last_income_date: '2026-12-25',
        first_income_date: '2026-01-23',
        periods_with_income: 12,
        number_of_incomes: 12,
        number_of_months: 12,
        source: 'ADEBAYO AND SONS LOGISTICS LTD',
        regular: true,
      },
    );
    assert.deepEqual(incomeV1(e), {
      type: 'REGULAR',
      amount: v2.aggregated_monthly_average,
      employer: 'ADEBAYO AND SONS LOGISTICS LTD',
      confidence: e.confidence,
      average_income: v2.aggregated_monthly_average,
      monthly_income: 450_000_00,
      yearly_income: v2.annual_income,
      income_sources: 3,
    });
    const record = incomeRecord(ACCOUNT, e);
    assert.equal(record.income_transactions.length, 14);
    assert.ok(
      record.income_transactions.every((t, i, all) => i === 0 || all[i - 1]!.date >= t.date),
      'newest first',
    );
    assert.ok(!record.income_transactions.some((t) => /REVERSAL|ADA OBI/.test(t.narration)));
    assert.equal(record.income_transactions[0]!.source, 'ADEBAYO AND SONS LOGISTICS LTD');
    assert.equal(record.income_transactions[0]!.frequency, 'MONTHLY');
    assert.equal(record.created_at, new Date(ACCOUNT.lastSyncedAt!).toISOString());
  });

  test('a gig worker: several payers, often and at odd times: all irregular, no employer, confidence 0.5', () => {
    const payers = ['SWIFTRIDE DRIVER PAYOUT', 'CHOPNOW DELIVERIES', 'TASKHUB NIGERIA'];
    const ledger: Entry[] = [];
    for (const [i, m] of YEAR.entries()) {
      for (const [p, payer] of payers.entries()) {
        for (let k = 0; k < 1 + ((i + p) % 4); k++)
          ledger.push(credit(`${m}-${String(3 + 7 * k + p).padStart(2, '0')}T12:00:00Z`, (20 + 5 * k + i) * 1000_00, `NIP TRANSFER FROM ${payer}`));
      }
    }
    const e = estimateIncome(ledger, 'Emeka Okafor');
    assert.deepEqual(e.streams.map((s) => s.regular).sort(), [false, false, false]);
    assert.equal(e.employer, null);
    assert.equal(e.regular, 0);
    assert.equal(e.monthsWithIncome, 12);
    assert.equal(e.confidence, 0.5);
    assert.equal(incomeV1(e).type, 'IRREGULAR');
    assert.equal(incomeV1(e).employer, '');
    assert.equal(incomeV1(e).monthly_income, 0);
    assert.ok(e.streams.every((s) => s.stability > 0 && s.stability < 1));
  });

  test('no income: debits, a reversal and transfers from the holder only; every figure 0', () => {
    const ledger = [
      ...YEAR.map((m) => debit(`${m}-05T10:00:00Z`, 40_000_00)),
      credit('2026-04-06T10:00:00Z', 40_000_00, 'REVERSAL POS PURCHASE SHOPRITE LEKKI'),
      credit('2026-07-01T10:00:00Z', 300_000_00, 'NIP TRANSFER FROM EMEKA OKAFOR SAVINGS'),
    ];
    const e = estimateIncome(ledger, 'Emeka Okafor');
    assert.equal(e.months, 12);
    assert.deepEqual([e.streams, e.total, e.employer, e.confidence], [[], 0, null, 0]);
    const v2 = incomeV2(ACCOUNT, e);
    assert.equal(v2.aggregated_monthly_average, 0);
    assert.equal(v2.number_of_income_streams, 0);
    assert.equal(incomeV1(e).type, 'NONE');
    assert.deepEqual(incomeRecord(ACCOUNT, e).income_transactions, []);
  });

  test('period: the last N calendar months up to the month of the last transaction', () => {
    const all = estimateIncome(salaried, 'Ada Obi');
    const three = estimateIncome(salaried, 'Ada Obi', 3);
    assert.equal(three.last, all.last);
    assert.equal(three.first, at('2026-10-02T10:00:00Z'), "October's rent is the first transaction of October to December");
    assert.equal(three.months, 3);
    assert.equal(three.streams[0]!.credits.length, 3, 'October, November and December');
    assert.equal(three.streams[0]!.regular, true);
    assert.equal(three.confidence, 0.5, 'three months of data: half the coverage');
    assert.equal(incomeV2(ACCOUNT, three).aggregated_monthly_average_regular, 450_000_00);
  });

  test("whether a payer is regular is judged on all the data: a short period that has not reached this month's payday keeps the salary regular", () => {
    const ledger = [...salaries(YEAR.slice(0, 11)), debit('2026-12-06T10:00:00Z', 5_000_00)];
    const two = estimateIncome(ledger, 'Ada Obi', 2);
    assert.equal(two.months, 2);
    assert.deepEqual(
      two.streams.map((s) => [s.source, s.regular, s.credits.length]),
      [['ADEBAYO AND SONS LOGISTICS LTD', true, 1]],
    );
    assert.equal(two.monthlyRegular, 450_000_00);
    assert.equal(two.employer, 'ADEBAYO AND SONS LOGISTICS LTD');
    assert.equal(two.confidence, confidenceOf(2, 1, 450_000_00, 450_000_00));
  });

  test('a salary seen only twice is not yet regular: irregular until a third', () => {
    const e = estimateIncome(salaries(['2026-01', '2026-02']), 'Ada Obi');
    assert.equal(e.streams[0]!.regular, false);
    assert.equal(e.employer, null);
  });

  test('no transactions at all: an empty window', () => {
    const e = estimateIncome([], 'Ada Obi');
    assert.deepEqual([e.first, e.last, e.months, e.total, e.confidence], [null, null, 0, 0, 0]);
    const v2 = incomeV2(ACCOUNT, e);
    assert.equal(v2.first_transaction_date, null);
    assert.equal(v2.period, '0 months');
  });
});

const ACCOUNT = {
  id: '6a1f2c3d4e5f60718293a4b5',
  appId: 'app_1',
  currency: 'NGN',
  lastSyncedAt: at('2026-12-26T08:00:00Z'),
  createdAt: at('2026-12-01T08:00:00Z'),
} as Account;
