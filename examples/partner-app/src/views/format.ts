/** Kobo to a currency amount a person reads: 1234567 NGN → ₦12,345.67. */
export function money(minor: number | null | undefined, currency = 'NGN'): string {
  if (minor === null || minor === undefined) return '—';
  return new Intl.NumberFormat('en-NG', { style: 'currency', currency }).format(minor / 100);
}

export function day(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));
}

export function moment(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
}

/** Only the last four digits of an account number, as banks show it. */
export const masked = (accountNumber: string) => `•••• ${accountNumber.slice(-4)}`;

/** SAVINGS_ACCOUNT → Savings account. */
export const accountType = (type: string) => {
  const words = type.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};
