import { DomainError } from '../lib/errors.ts';
import type { SessionState, Step } from './machine.ts';

/** A step's input, read: login fields or an MFA answer, or the account chosen among those offered. */
export type StepInput = { kind: 'fields'; fields: Record<string, string> } | { kind: 'account'; accountNumber: string };

const MAX_FIELD_LENGTH = 512;

/**
 * The body must carry exactly the fields the session last asked for (seed 003: "field names
 * will be cached to validate inputs sent via the Commit Session API"), so a typo is a 400
 * here rather than a wrong answer counted at the bank.
 */
export function readInput(state: SessionState, step: Step, body: unknown, accountBy: 'index' | 'number'): StepInput {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('INVALID_INPUT', 'Invalid request: body must be a JSON object');
  }
  const given = body as Record<string, unknown>;
  if (step === 'commit' && state.status === 'awaiting_account') {
    const field = accountBy === 'index' ? 'account' : 'accountNumber';
    checkNames(Object.keys(given), [field]);
    if (accountBy === 'index') {
      // An integer or a string of digits; Number(null), Number('') and Number(true) are not choices.
      const raw = given.account;
      const index = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
      const chosen = Number.isInteger(index) ? state.accounts[index] : undefined;
      if (!chosen)
        throw new DomainError(
          'INVALID_INPUT',
          `Invalid request: body.account must be the index of one of the ${state.accounts.length} offered accounts (0 to ${state.accounts.length - 1})`,
        );
      return { kind: 'account', accountNumber: chosen.accountNumber };
    }
    const raw = given.accountNumber;
    const number = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    if (!state.accounts.some((a) => a.accountNumber === number)) {
      throw new DomainError(
        'INVALID_INPUT',
        `Invalid request: body.accountNumber must be one of the offered accounts: ${state.accounts.map((a) => a.accountNumber).join(', ')}`,
      );
    }
    return { kind: 'account', accountNumber: number };
  }
  checkNames(Object.keys(given), state.expectedFields);
  const fields: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of state.expectedFields) {
    const value = given[name];
    if (typeof value === 'number' && Number.isFinite(value)) fields[name] = String(value);
    else if (typeof value === 'string' && value.length <= MAX_FIELD_LENGTH) fields[name] = value;
    else problems.push(`body.${name} must be a string of at most ${MAX_FIELD_LENGTH} characters`);
  }
  if (problems.length > 0) throw new DomainError('INVALID_INPUT', `Invalid request: ${problems.join('; ')}`);
  return { kind: 'fields', fields };
}

function checkNames(given: string[], expected: string[]) {
  const missing = expected.filter((name) => !given.includes(name)).map((name) => `body.${name} is required`);
  const unknown = given.filter((name) => !expected.includes(name)).map((name) => `body.${name} is not a field this step asked for`);
  if (missing.length + unknown.length > 0) {
    throw new DomainError('INVALID_INPUT', `Invalid request: ${[...missing, ...unknown].join('; ')} (expected: ${expected.join(', ')})`);
  }
}
