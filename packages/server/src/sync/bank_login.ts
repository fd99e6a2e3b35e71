import type { Connectors } from '../connectors/registry.ts';
import type { BankConnector, ConnectorOutcome, LinkedOutcome, LoginInput } from '../connectors/types.ts';

const OTHER_USER = 'These credentials belong to a different bank user than the one this account was linked with';

const unavailable = (timeout: Error) => ({ kind: 'unavailable' as const, message: `Connection error: ${timeout.message}` });

/**
 * Log in with `fields` as the user who owns `accountNumber`, and pick that account if the bank
 * offers several. A data sync (with the stored credentials) and a re-authorisation (stored or
 * newly typed) both start here; what the bank wants next (MFA, a new password) is theirs to act on.
 */
export async function loginAsLinked(connectors: Connectors, connector: BankConnector, login: LoginInput, accountNumber: string): Promise<LinkedOutcome> {
  const outcome = await connectors.call((context) => connector.login(login, context), unavailable);
  return pickLinked(connectors, connector, outcome, accountNumber);
}

/** A bank answer for the linked user: `select` is answered with the linked account, and a login as someone else is refused. */
export async function pickLinked(connectors: Connectors, connector: BankConnector, outcome: ConnectorOutcome, accountNumber: string): Promise<LinkedOutcome> {
  if (outcome.kind === 'ok' && !outcome.accounts.some((a) => a.accountNumber === accountNumber)) return { kind: 'other_user', message: OTHER_USER };
  if (outcome.kind !== 'select') return outcome;
  if (!outcome.accounts.some((a) => a.accountNumber === accountNumber)) return { kind: 'other_user', message: OTHER_USER };
  const offered = outcome.state;
  const chosen = await connectors.call((context) => connector.selectAccount(offered, accountNumber, context), unavailable);
  // A second `select` would mean the bank ignored the choice: not the linked account either way.
  if (chosen.kind === 'select') return { kind: 'other_user', message: OTHER_USER };
  return pickLinked(connectors, connector, chosen, accountNumber);
}
