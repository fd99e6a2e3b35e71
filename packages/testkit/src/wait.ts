/**
 * The one bounded wait of the test suites: poll until something holds, or fail saying what was
 * awaited. No test sleeps a fixed time and then looks, and no wait runs out silently.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Fails after this long; 5 s unless said. */
  timeoutMs?: number;
  /** The pause between tries: 20 ms unless said (more where each try is a request the server counts). */
  intervalMs?: number;
  /** What is awaited, for the failure's message. */
  what?: string;
}

/** Waits until `check` holds, polling every 20 ms, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  await poll(
    check,
    (held) => held,
    { timeoutMs, what },
    () => '',
  );
}

/**
 * Tries `probe` until `accept` takes what it gives, and returns that: for a wait that also needs
 * the answer it ended on. Fails after `timeoutMs`, showing the last answer.
 */
export function retryUntil<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, options: RetryOptions = {}): Promise<T> {
  return poll(probe, accept, options, (last) => `; the last try gave ${shown(last)}`);
}

async function poll<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, options: RetryOptions, last: (value: T) => string): Promise<T> {
  const { timeoutMs = 5_000, intervalMs = 20, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last(value)}`);
    await sleep(intervalMs);
  }
}

function shown(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'text' in value && 'status' in value) return `${value.status} ${String(value.text)}`;
  try {
    return String(JSON.stringify(value)).slice(0, 1_000);
  } catch {
    return String(value);
  }
}
