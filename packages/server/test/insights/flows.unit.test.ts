import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flowOf, type Movement } from '../../src/insights/flows.ts';
import { addMonths, dayOf, monthOf, monthsFrom } from '../../src/insights/months.ts';

const at = (iso: string) => Date.parse(iso);
const credit = (iso: string, amount: number): Movement => ({ type: 'credit', amount, date: at(iso) });
const debit = (iso: string, amount: number): Movement => ({ type: 'debit', amount, date: at(iso) });

describe('months in West Africa Time', () => {
  test('an instant after 23:00 UTC belongs to the next day, and on the last day to the next month', () => {
    assert.equal(monthOf(at('2026-01-31T22:59:59Z')), '2026-01');
    assert.equal(monthOf(at('2026-01-31T23:00:00Z')), '2026-02');
    assert.equal(dayOf(at('2026-01-31T23:00:00Z')), '2026-02-01');
    assert.equal(monthOf(at('2025-12-31T23:30:00Z')), '2026-01');
  });

  test('monthsFrom runs across a new year, both ends included; none when the last comes first', () => {
    assert.deepEqual(monthsFrom('2025-11', '2026-02'), ['2025-11', '2025-12', '2026-01', '2026-02']);
    assert.deepEqual(monthsFrom('2026-03', '2026-03'), ['2026-03']);
    assert.deepEqual(monthsFrom('2026-03', '2026-02'), []);
  });

  test('addMonths goes forward and back across years', () => {
    assert.equal(addMonths('2026-12', -2), '2026-10');
    assert.equal(addMonths('2026-02', -2), '2025-12');
    assert.equal(addMonths('2026-01', -13), '2024-12');
    assert.equal(addMonths('2025-11', 3), '2026-02');
    assert.equal(addMonths('2026-05', 0), '2026-05');
  });
});

describe('flowOf: credits and debits, in all and month by month', () => {
  const ledger = [
    credit('2026-01-25T09:00:00Z', 450_000_00),
    debit('2026-01-26T10:00:00Z', 12_500_00),
    debit('2026-01-31T23:15:00Z', 3_000_00),
    credit('2026-04-25T09:00:00Z', 450_000_00),
    credit('2026-04-27T12:00:00Z', 20_000_00),
  ];

  test('totals and counts of one kind; every month from the first to the last transaction, empty ones as 0', () => {
    assert.deepEqual(flowOf(ledger, 'credit'), {
      total: 920_000_00,
      transactions_count: 3,
      history: [
        { period: '2026-01', amount: 450_000_00, transactions_count: 1 },
        { period: '2026-02', amount: 0, transactions_count: 0 },
        { period: '2026-03', amount: 0, transactions_count: 0 },
        { period: '2026-04', amount: 470_000_00, transactions_count: 2 },
      ],
    });
  });

  test("debits share the credits' months; a debit at 23:15 UTC on 31 January counts in February", () => {
    const debits = flowOf(ledger, 'debit');
    assert.equal(debits.total, 15_500_00);
    assert.equal(debits.transactions_count, 2);
    assert.deepEqual(
      debits.history.map((m) => [m.period, m.amount]),
      [
        ['2026-01', 12_500_00],
        ['2026-02', 3_000_00],
        ['2026-03', 0],
        ['2026-04', 0],
      ],
    );
    const sum = debits.history.reduce((s, m) => s + m.amount, 0);
    assert.equal(sum, debits.total);
  });

  test('the order of the ledger does not matter', () => {
    assert.deepEqual(flowOf([...ledger].reverse(), 'credit'), flowOf(ledger, 'credit'));
  });

  test('no transactions: nothing, and no months', () => {
    assert.deepEqual(flowOf([], 'credit'), { total: 0, transactions_count: 0, history: [] });
  });

  test('an account with only debits has credit months, each 0', () => {
    const flow = flowOf([debit('2026-05-02T10:00:00Z', 100), debit('2026-06-02T10:00:00Z', 100)], 'credit');
    assert.deepEqual(flow, {
      total: 0,
      transactions_count: 0,
      history: [
        { period: '2026-05', amount: 0, transactions_count: 0 },
        { period: '2026-06', amount: 0, transactions_count: 0 },
      ],
    });
  });
});
