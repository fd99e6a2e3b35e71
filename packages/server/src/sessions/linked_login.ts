import { createHash, timingSafeEqual } from 'node:crypto';
import type { SessionState } from './machine.ts';
import type { StepInput } from './input.ts';

/** What every refused re-authorisation login answers, from the bank or from Relink. */
export const REAUTH_LOGIN_REFUSED = 'The bank did not accept these login details';

/**
 * Whether Relink refuses a re-authorisation login itself, without asking the bank: a username
 * other than the linked one (another bank user's login must never replace this account's), or,
 * after the bank accepted the stored credentials (`storedAccepted`), anything but those same
 * credentials, so a guess never reaches the bank. Compared in constant time.
 */
export function refusedLogin(state: SessionState, input: StepInput, stored: Record<string, string>): boolean {
  if (state.status !== 'awaiting_login' || input.kind !== 'fields') return false;
  const given = input.fields.username;
  if (stored.username !== undefined && given !== undefined && !sameSecret(given.trim().toLowerCase(), stored.username.trim().toLowerCase())) return true;
  if (!state.storedAccepted) return false;
  const normal = (name: string, value: string | undefined) => (name === 'username' ? (value ?? '').trim().toLowerCase() : (value ?? ''));
  let same = true;
  for (const name of state.expectedFields) same = sameSecret(normal(name, input.fields[name]), normal(name, stored[name])) && same;
  return !same;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
