/** How the console writes times and numbers: UTC, so every operator reads the same instant. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** A duration for a person: `42s`, `3m 20s`, `5h 4m`, `2d 3h`; a dash for none. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A share 0..1 as a whole percentage; a dash for none. */
export function share(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`;
}

/** Why the bank asked again (a re-authorisation episode's cause), in words. */
export const REAUTH_CAUSES: Record<string, string> = {
  mfa_required: 'MFA: the bank asked for an OTP',
  password_changed: 'Password changed',
  locked: 'Locked at the bank',
  other_user: 'Another bank user’s login',
  session_expired: 'Bank session expired',
  unknown: 'Not recorded',
};

export function causeLabel(cause: string | null | undefined): string {
  return cause ? (REAUTH_CAUSES[cause] ?? cause) : REAUTH_CAUSES.unknown!;
}
